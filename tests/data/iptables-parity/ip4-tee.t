# -j TEE (libxt_TEE revision 1, xt_TEE): any table and chain; --gateway is required, an address
# (xt_TEE's checkentry refuses 0.0.0.0), not negated; --oif a device name, cut to the 15
# characters its 16 bytes keep beside the NUL. Saved --gateway first, --oif when given.
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-j TEE --gateway 192.0.2.9;=;OK
-p udp -m udp --dport 53 -j TEE --gateway 192.0.2.9 --oif eth0;=;OK
-j TEE --oif eth0 --gateway 192.0.2.9;-j TEE --gateway 192.0.2.9 --oif eth0;OK
-j TEE --gateway 192.0.2.9 --oif abcdefghijklmno;=;OK
-j TEE --gateway 192.0.2.9 --oif abcdefghijklmnop;-j TEE --gateway 192.0.2.9 --oif abcdefghijklmno;OK
-j TEE --gateway 192.0.2.9 --oif abcdefghijklmnopqrstuvwxyz;-j TEE --gateway 192.0.2.9 --oif abcdefghijklmno;OK
-j TEE;;FAIL
-j TEE --oif eth0;;FAIL
-j TEE ! --gateway 192.0.2.9;;FAIL
-j TEE --gateway 0.0.0.0;;FAIL
-j TEE --gateway 192.0.2.0/24;;FAIL
-j TEE --gateway 192.0.2.9 --gateway 192.0.2.10;;FAIL
-j TEE --gateway 2001:db8::1;;FAIL
:INPUT,FORWARD,OUTPUT
*filter
-j TEE --gateway 203.0.113.254;=;OK
-s 198.51.100.0/24 -j TEE --gateway 203.0.113.254 --oif wan1;=;OK
:PREROUTING,OUTPUT
*raw
-j TEE --gateway 203.0.113.254;=;OK
:PREROUTING,INPUT,OUTPUT,POSTROUTING
*nat
-j TEE --gateway 203.0.113.254;=;OK
