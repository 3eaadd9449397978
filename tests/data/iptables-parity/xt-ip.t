# The rule's own options: a protocol 0 negated matches nothing, interfaces past 15 characters.
:FORWARD
! -p 0 -j DROP;;FAIL
-p 0 -j DROP;-j DROP;OK
-i lan0 -o wan+;=;OK
-i aninterfacenamex;;FAIL
-i + -j ACCEPT;-j ACCEPT;OK
