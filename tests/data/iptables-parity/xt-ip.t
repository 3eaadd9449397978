# The rule's own options: a protocol 0 negated matches nothing, interfaces past 15 characters.
:FORWARD
! -p 0 -j DROP;;FAIL
-p 0 -j DROP;-j DROP;OK
-i lan0 -o wan+;=;OK
-i aninterfacenamex;;FAIL
-i + -j ACCEPT;-j ACCEPT;OK
-ptcp -jACCEPT;-p tcp -j ACCEPT;OK;SINCE 1.8.10
--protocol=udp --jump=DROP;-p udp -j DROP;OK;SINCE 1.8.10
-p tcp --dport=25 -j DROP;-p tcp -m tcp --dport 25 -j DROP;OK
-c 7,1400 -j ACCEPT;-j ACCEPT;OK
-c 7 1400 -j ACCEPT;-j ACCEPT;OK
-c 7, -j ACCEPT;;FAIL
-c ,1400 -j ACCEPT;;FAIL
