# NAT ranges as libxt_NAT reads and prints them: service names for a single port, numbers in a
# range, a shifted map's base, ports only with a protocol that has them.
:PREROUTING,OUTPUT
*nat
-p tcp -j DNAT --to-destination 192.0.2.10:https;-p tcp -j DNAT --to-destination 192.0.2.10:443;OK
-p tcp -j DNAT --to-destination 192.0.2.10:8000-8099;=;OK
-p tcp -j DNAT --to-destination 192.0.2.10:8000-8099/80;=;OK
-p udp -j DNAT --to-destination 192.0.2.10:5000-5009/domain;-p udp -j DNAT --to-destination 192.0.2.10:5000-5009/53;OK
-p tcp -j DNAT --to-destination 192.0.2.10:8000-8099/0;;FAIL
-p tcp -j DNAT --to-destination 192.0.2.10:9000-8000;;FAIL
-p tcp -j DNAT --to-destination 192.0.2.10:8000:8099;;FAIL
-p tcp -j DNAT --to-destination 192.0.2.10:80-http;;FAIL
-p tcp -j DNAT --to-destination 192.0.2.10:70000;;FAIL
-j DNAT --to-destination 192.0.2.10:80;;FAIL
-p icmp -j DNAT --to-destination 192.0.2.10:7;=;OK
-j DNAT --to-destination 192.0.2.10-192.0.2.12;=;OK
-j DNAT --to-destination 192.0.2.10 --to-destination 192.0.2.11;;FAIL
-j DNAT;;FAIL
-p tcp -j REDIRECT --to-ports 3128;=;OK
-p tcp -j REDIRECT --to-ports http-alt;-p tcp -j REDIRECT --to-ports 8080;OK
-p tcp -j REDIRECT --to-ports 3128-3130;=;OK
-p tcp -j REDIRECT --to-ports 3128-squid;;FAIL
-p tcp -j REDIRECT --to-ports 3128-3130/3000;;FAIL
-j REDIRECT --to-ports 3128;;FAIL
:POSTROUTING
*nat
-p udp -j MASQUERADE --to-ports 40000-40999;=;OK
-p udp -j MASQUERADE --to-ports -5;;FAIL
-p tcp -j SNAT --to-source 198.51.100.1:1024-2047/1024;-p tcp -j SNAT --to-source 198.51.100.1:1024-2047/0;OK
