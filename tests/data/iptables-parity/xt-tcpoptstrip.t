# TCPOPTSTRIP: option kinds by name or number, 2 to 255, each once; saved as numbers in kind order.
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-j TCPOPTSTRIP;;FAIL
-p udp -j TCPOPTSTRIP;;FAIL
-p tcp -j TCPOPTSTRIP;=;OK
-p tcp -j TCPOPTSTRIP --strip-options 2,3,4,5,6,7;=;OK
-p tcp -j TCPOPTSTRIP --strip-options timestamp,mss,wscale;-p tcp -j TCPOPTSTRIP --strip-options 2,3,8;OK
-p tcp -j TCPOPTSTRIP --strip-options sack-permitted,sack,md5,255;-p tcp -j TCPOPTSTRIP --strip-options 4,5,19,255;OK
-p tcp -j TCPOPTSTRIP --strip-options 0x1e;-p tcp -j TCPOPTSTRIP --strip-options 30;OK
-p tcp -j TCPOPTSTRIP --strip-options 0;;FAIL
-p tcp -j TCPOPTSTRIP --strip-options 1;;FAIL
-p tcp -j TCPOPTSTRIP --strip-options 1,2;;FAIL
-p tcp -j TCPOPTSTRIP --strip-options 256;;FAIL
-p tcp -j TCPOPTSTRIP --strip-options mss,2;;FAIL
-p tcp -j TCPOPTSTRIP --strip-options mss,;;FAIL
-p tcp -j TCPOPTSTRIP --strip-options MSS;;FAIL
-p tcp -j TCPOPTSTRIP --strip-options mss --strip-options wscale;;FAIL
:INPUT
*filter
-p tcp -j TCPOPTSTRIP --strip-options mss;;FAIL
