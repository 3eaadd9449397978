:PREROUTING,OUTPUT
*nat
-p tcp -j DNAT --to-destination [2001:db8::10]:8443;=;OK
-p tcp -j DNAT --to-destination [2001:db8::10]:8000-8099/80;=;OK
-j DNAT --to-destination 2001:db8::10;=;OK
-j DNAT --to-destination [2001:db8::10];-j DNAT --to-destination 2001:db8::10;OK
