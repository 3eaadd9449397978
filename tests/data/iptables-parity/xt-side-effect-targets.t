# AUDIT and IDLETIMER: effects outside the packet, in any table and hook.
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-j AUDIT;;FAIL
-j AUDIT --type accept;=;OK
-j AUDIT --type DRop;-j AUDIT --type drop;OK
-j AUDIT --type reject;=;OK
-j AUDIT --type wrong;;FAIL
-j AUDIT --type drop --type accept;;FAIL
-j IDLETIMER;;FAIL
-j IDLETIMER --timeout 42;;FAIL
-j IDLETIMER --label foo;;FAIL
-j IDLETIMER --timeout 42 --label foo;=;OK
-j IDLETIMER --label bar --timeout 0x10 --alarm;-j IDLETIMER --timeout 16 --label bar --alarm;OK
-j IDLETIMER --timeout 0 --label foo;;FAIL
-j IDLETIMER --timeout 2147482 --label foo;=;OK
-j IDLETIMER --timeout 2147483 --label foo;;FAIL
-j IDLETIMER --timeout 5 --label abcdefghijklmnopqrstuvwxyza;=;OK
-j IDLETIMER --timeout 5 --label abcdefghijklmnopqrstuvwxyzab;-j IDLETIMER --timeout 5 --label abcdefghijklmnopqrstuvwxyza;OK
:POSTROUTING
*nat
-j AUDIT --type accept;=;OK
:PREROUTING,OUTPUT
*raw
-j IDLETIMER --timeout 5 --label g;=;OK
# IDLETIMER's timers are the kernel's, by label: a rule of another timer type (--alarm) is refused.
*mangle
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
%iptables -t raw -A PREROUTING -j IDLETIMER --timeout 5 --label shared
-j IDLETIMER --timeout 9 --label shared;=;OK
-j IDLETIMER --timeout 5 --label shared --alarm;;FAIL
-j IDLETIMER --timeout 5 --label other --alarm;=;OK
%iptables -t raw -D PREROUTING -j IDLETIMER --timeout 5 --label shared
