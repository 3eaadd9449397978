# The ECN target (IPv4, mangle): TCP operations only in a rule for TCP; --ecn-tcp-remove replaces
# the operation (an ECT codepoint given before it is forgotten), the others add to it.
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-j ECN;;FAIL
-p tcp -j ECN;;FAIL
-p tcp -j ECN --ecn-tcp-remove;=;OK
-j ECN --ecn-tcp-remove;;FAIL
-p udp -j ECN --ecn-tcp-remove;;FAIL
! -p tcp -j ECN --ecn-tcp-remove;;FAIL
-j ECN --ecn-ip-ect 1;=;OK
-j ECN --ecn-ip-ect 3;=;OK
-j ECN --ecn-ip-ect 4;;FAIL
-j ECN --ecn-ip-ect 0x2;-j ECN --ecn-ip-ect 2;OK
-p tcp -j ECN --ecn-tcp-cwr 1;=;OK
-p tcp -j ECN --ecn-tcp-cwr 0 --ecn-tcp-ece 0;-p tcp -j ECN --ecn-tcp-remove;OK
-p tcp -j ECN --ecn-tcp-ece 0 --ecn-tcp-cwr 0;-p tcp -j ECN --ecn-tcp-remove;OK
-p tcp -j ECN --ecn-tcp-ece 1 --ecn-tcp-cwr 0 --ecn-ip-ect 2;=;OK
-p tcp -j ECN --ecn-tcp-cwr 2;;FAIL
-p tcp -j ECN --ecn-tcp-remove --ecn-tcp-cwr 1;;FAIL
-p tcp -j ECN --ecn-tcp-cwr 1 --ecn-tcp-remove;;FAIL
-p tcp -j ECN --ecn-ip-ect 1 --ecn-tcp-remove;-p tcp -j ECN --ecn-tcp-remove;OK
-p tcp -j ECN --ecn-tcp-remove --ecn-ip-ect 1;-p tcp -j ECN --ecn-tcp-ece 0 --ecn-tcp-cwr 0 --ecn-ip-ect 1;OK
-p tcp -j ECN --ecn-tcp-ece 1 --ecn-tcp-ece 0;;FAIL
