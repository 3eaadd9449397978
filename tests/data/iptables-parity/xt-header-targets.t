# Header rewriting targets: each needs its operation, and one of them only.
:PREROUTING,FORWARD,POSTROUTING
*mangle
-j DSCP;;FAIL
-j DSCP --set-dscp 0x2e;=;OK
-j DSCP --set-dscp-class EF;-j DSCP --set-dscp 0x2e;OK
-j DSCP --set-dscp 0x0a --set-dscp-class AF11;;FAIL
-j TOS;;FAIL
-j TOS --set-tos 0x10 --and-tos 0x1;;FAIL
-j CHECKSUM;;FAIL
-j CHECKSUM --checksum-fill;=;OK
-m dscp;;FAIL
-m dscp --dscp 0x0a --dscp-class AF11;;FAIL
-m tos;;FAIL
:FORWARD,POSTROUTING
*mangle
-j CLASSIFY;;FAIL
-j CLASSIFY --set-class 1:10;-j CLASSIFY --set-class 0001:0010;OK
