# SECMARK and CONNSECMARK: mangle and security only; SECMARK needs its context, CONNSECMARK one of
# --save and --restore. (A SECMARK rule with a context loads only where a security module knows
# the context: this kernel has none, so its accepted forms are held by the ruleset suite alone.)
:PREROUTING,FORWARD,OUTPUT,POSTROUTING
*mangle
-j CONNSECMARK --restore;=;OK
-j CONNSECMARK --save;=;OK
-j CONNSECMARK;;FAIL
-j CONNSECMARK --save --restore;;FAIL
-j CONNSECMARK --save --save;;FAIL
-j SECMARK;;FAIL
:INPUT,FORWARD,OUTPUT
*filter
-j CONNSECMARK --save;;FAIL
-j SECMARK --selctx system_u:object_r:ssh_server_packet_t:s0;;FAIL
