# Ports of tcp, udp and dccp: open ranges written out, a range of every port left out unless
# negated, one-port ranges as the port, reversed ranges and values past 65535 refused.
:INPUT,OUTPUT
-p tcp -m tcp --dport 8443;=;OK
-p tcp -m tcp --sport 2000:;-p tcp -m tcp --sport 2000:65535;OK
-p tcp -m tcp --dport :1023;-p tcp -m tcp --dport 0:1023;OK
-p tcp -m tcp --dport 443:443;-p tcp -m tcp --dport 443;OK
-p tcp -m tcp --dport :;-p tcp -m tcp;OK
-p tcp -m tcp ! --sport :;-p tcp -m tcp ! --sport 0:65535;OK;SAVED-SINCE 1.8.10
-p tcp -m tcp --sport 0:65535 --dport 25;-p tcp -m tcp --dport 25;OK
-p tcp -m tcp --dport 1024:1000;;FAIL
-p tcp -m tcp --dport 70000;;FAIL
-p tcp -m tcp --sport 22 --sport 23;;FAIL
-p tcp --dport ssh;-p tcp -m tcp --dport 22;OK
-p udp -m udp --sport 68:;-p udp -m udp --sport 68:65535;OK
-p udp -m udp ! --dport 53:53;-p udp -m udp ! --dport 53;OK
-p udp -m udp --dport 5353:53;;FAIL;SINCE 1.8.10
-p udp -m udp --dport :;-p udp -m udp;OK
-p dccp -m dccp --dport 6000:5000;;FAIL;SINCE 1.8.10
-p dccp -m dccp --sport :99;-p dccp -m dccp --sport 0:99;OK
-p tcp -m multiport --dports 80,8000:8080;=;OK
-p tcp -m multiport --dports 8080:8000;;FAIL
-p udp -m multiport --sports 1:70000;;FAIL
-m multiport --dports 80;;FAIL
# libxt_tcp names no flag above URG: ECE and CWR are -m ecn's.
-p tcp -m tcp --tcp-flags ECE,CWR NONE;;FAIL
-p tcp -m tcp --tcp-flags SYN,ECE SYN;;FAIL
