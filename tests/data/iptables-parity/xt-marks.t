# MARK, CONNMARK and the mark matches: an operation is required, operations exclude each other.
:PREROUTING,FORWARD,OUTPUT
*mangle
-j MARK;;FAIL
-j MARK --set-mark 0x10;-j MARK --set-xmark 0x10/0xffffffff;OK
-j MARK --set-mark 0x10 --or-mark 0x1;;FAIL
-j MARK --and-mark 0xf0 --xor-mark 0x1;;FAIL
-j CONNMARK;;FAIL
-j CONNMARK --save-mark;-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff;OK
-j CONNMARK --save-mark --restore-mark;;FAIL
-j CONNMARK --restore-mark --mask 0xff --nfmask 0xf;;FAIL
-m mark;;FAIL
-m mark --mark 0x2/0x3;=;OK
-m connmark;;FAIL
-m connmark ! --mark 0x1;=;OK
