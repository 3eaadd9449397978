# -j TPROXY (libxt_TPROXY revision 1, xt_TPROXY): mangle PREROUTING only, in a rule of -p tcp or
# -p udp (not negated); --on-port is required, read by getaddrinfo (a service name, or a decimal
# number taken as an int: negative refused, the rest cut to 16 bits); --on-ip an address,
# 0.0.0.0 when not given; --tproxy-mark VALUE[/MASK], the mask all ones when not given and both
# 0 when the option is not. Saved with all three options.
:PREROUTING
*mangle
-p udp -j TPROXY --on-port 12345 --on-ip 10.0.0.1 --tproxy-mark 0x23/0xff;=;OK
-p tcp -m tcp --dport 80 -j TPROXY --on-port 3129;-p tcp -m tcp --dport 80 -j TPROXY --on-port 3129 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --tproxy-mark 1 --on-port 0;-p tcp -j TPROXY --on-port 0 --on-ip 0.0.0.0 --tproxy-mark 0x1/0xffffffff;OK
-p tcp -j TPROXY --on-port 1 --tproxy-mark 0x5/0x7;-p tcp -j TPROXY --on-port 1 --on-ip 0.0.0.0 --tproxy-mark 0x5/0x7;OK
-p 6 -j TPROXY --on-port 1;-p tcp -j TPROXY --on-port 1 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port ssh;-p tcp -j TPROXY --on-port 22 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port 010;-p tcp -j TPROXY --on-port 10 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port +5;-p tcp -j TPROXY --on-port 5 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port 99999;-p tcp -j TPROXY --on-port 34463 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port 4294967296;-p tcp -j TPROXY --on-port 0 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port 2147483647;-p tcp -j TPROXY --on-port 65535 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port 2147483648;;FAIL
-p tcp -j TPROXY --on-port 4294967295;;FAIL
-p tcp -j TPROXY --on-port -1;;FAIL
-p tcp -j TPROXY --on-port 0x10;;FAIL
-p tcp -j TPROXY --on-port 1e3;;FAIL
-p tcp -j TPROXY --on-port nosuchservice;;FAIL
-p tcp -j TPROXY --on-ip 10.0.0.1;;FAIL
-p tcp -j TPROXY --on-port 1 --on-port 2;;FAIL
-p tcp -j TPROXY --on-port 1 --on-ip 10.0.0.1/24;;FAIL
-p tcp -j TPROXY --on-port 1 --on-ip 2001:db8::1;;FAIL
-p tcp -j TPROXY --on-port 1 --tproxy-mark 5/;;FAIL
-p tcp -j TPROXY --on-port 1 --tproxy-mark 4294967296;;FAIL
-j TPROXY --on-port 1;;FAIL
! -p tcp -j TPROXY --on-port 1;;FAIL
-p sctp -j TPROXY --on-port 1;;FAIL
-p icmp -j TPROXY --on-port 1;;FAIL
:INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-p tcp -j TPROXY --on-port 1;;FAIL
:PREROUTING
*nat
-p tcp -j TPROXY --on-port 1;;FAIL
:PREROUTING
*raw
-p tcp -j TPROXY --on-port 1;;FAIL
