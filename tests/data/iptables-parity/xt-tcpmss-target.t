# TCPMSS: --set-mss in every hook, --clamp-mss-to-pmtu only where the packet has a route.
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-j TCPMSS;;FAIL
-p tcp -j TCPMSS;;FAIL
-j TCPMSS --set-mss 1400;;FAIL
! -p tcp -j TCPMSS --set-mss 1400;;FAIL
-p udp -j TCPMSS --set-mss 1400;;FAIL
-p tcp -j TCPMSS --set-mss 1400;=;OK
-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --set-mss 0;=;OK
-p tcp -j TCPMSS --set-mss 0x10;-p tcp -j TCPMSS --set-mss 16;OK
-p tcp -j TCPMSS --set-mss -1;;FAIL
-p tcp -j TCPMSS --clamp-mss-to-pmtu --set-mss 1400;-p tcp -j TCPMSS --set-mss 1400;OK
:FORWARD,OUTPUT,POSTROUTING
*mangle
-p tcp -j TCPMSS --clamp-mss-to-pmtu;=;OK
-p tcp -j TCPMSS --set-mss 1400 --clamp-mss-to-pmtu;-p tcp -j TCPMSS --clamp-mss-to-pmtu;OK
:PREROUTING,INPUT
*mangle
-p tcp -j TCPMSS --clamp-mss-to-pmtu;;FAIL
