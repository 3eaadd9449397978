# -j TEE for IPv6 (libxt_TEE revision 1, xt_TEE): as for IPv4 (ip4-tee.t), the gateway an IPv6
# address (:: refused by the kernel).
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-j TEE --gateway 2001:db8::1;=;OK
-j TEE --gateway 2001:DB8:0:0::1 --oif eth0;-j TEE --gateway 2001:db8::1 --oif eth0;OK
-j TEE --gateway fe80::1 --oif lan0;=;OK
-j TEE;;FAIL
-j TEE --gateway ::;;FAIL
-j TEE --gateway 192.0.2.9;;FAIL
-j TEE --gateway 2001:db8::1 --oif abcdefghijklmnop;-j TEE --gateway 2001:db8::1 --oif abcdefghijklmno;OK
:INPUT,FORWARD,OUTPUT
*filter
-j TEE --gateway 2001:db8::fe;=;OK
