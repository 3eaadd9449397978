:PREROUTING,FORWARD
*mangle
-j TTL;;FAIL
-j TTL --ttl-set 64;=;OK
-j TTL --ttl-inc 2 --ttl-dec 2;;FAIL
-m ttl;;FAIL
-m ttl --ttl-lt 5;=;OK
-m ttl --ttl-lt 5 --ttl-gt 2;;FAIL
