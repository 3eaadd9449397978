# -j TPROXY for IPv6 (libxt_TPROXY revision 1, xt_TPROXY's tproxy_tg6_check): as for IPv4
# (ip4-tproxy.t), --on-ip an IPv6 address, :: when not given.
:PREROUTING
*mangle
-p udp -j TPROXY --on-port 12345 --on-ip 2001:db8::1 --tproxy-mark 0x23/0xff;=;OK
-p tcp -m tcp --dport 80 -j TPROXY --on-port 3129;-p tcp -m tcp --dport 80 -j TPROXY --on-port 3129 --on-ip :: --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port 1 --on-ip 2001:DB8:0:0::1;-p tcp -j TPROXY --on-port 1 --on-ip 2001:db8::1 --tproxy-mark 0x0/0x0;OK
-p tcp -j TPROXY --on-port 1 --on-ip 10.0.0.1;;FAIL
-p tcp -j TPROXY --on-ip 2001:db8::1;;FAIL
-j TPROXY --on-port 1;;FAIL
-p icmpv6 -j TPROXY --on-port 1;;FAIL
:INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-p udp -j TPROXY --on-port 1;;FAIL
