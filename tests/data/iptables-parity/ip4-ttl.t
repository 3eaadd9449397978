:PREROUTING,FORWARD
*mangle
-j TTL;;FAIL
-j TTL --ttl-set 64;=;OK
-j TTL --ttl-inc 2 --ttl-dec 2;;FAIL
-m ttl;;FAIL
-m ttl --ttl-lt 5;=;OK
-m ttl --ttl-lt 5 --ttl-gt 2;;FAIL
:INPUT,FORWARD
*filter
-p icmp -m icmp --icmp-type 3/1:4;-p icmp -m icmp --icmp-type 3/1;OK
-p icmp -m icmp --icmp-type 255/0:255;-p icmp -m icmp --icmp-type any;OK
-p icmp -m icmp --icmp-type 3/4:1;-p icmp -m icmp --icmp-type 3/4;OK
-p icmp -m icmp --icmp-type echo-req;-p icmp -m icmp --icmp-type 8;OK
-p icmp -m icmp --icmp-type time;;FAIL
-p icmp -m icmp --icmp-type 3/:4;;FAIL
