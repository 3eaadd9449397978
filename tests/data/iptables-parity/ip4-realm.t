# -m realm (libipt_realm, xt_realm): the realms of the packet's route; rt_realms' one default
# name, cosmos (0), in and out. Not in PREROUTING, where no route is chosen yet.
:INPUT,FORWARD,OUTPUT
*filter
-m realm --realm 0x1/0x2a;=;OK
-m realm --realm 0x2a;=;OK
-m realm --realm 42;-m realm --realm 0x2a;OK
-m realm ! --realm 5;-m realm ! --realm 0x5;OK
-m realm --realm 010;-m realm --realm 0x8;OK
-m realm --realm 0;-m realm --realm cosmos;OK
-m realm --realm cosmos;=;OK
-m realm --realm 0/0xffffffff;-m realm --realm cosmos;OK
-m realm --realm 5/0xffff;-m realm --realm 0x5/0xffff;OK
-m realm --realm 0xffffffff/0;-m realm --realm 0xffffffff/0x0;OK
-m realm --realm cosmos/0xff;;FAIL
-m realm --realm foo;;FAIL
-m realm --realm 4294967296;;FAIL
-m realm --realm 5/;;FAIL
-m realm --realm 5x;;FAIL
-m realm;;FAIL
-m realm --realm 1 --realm 2;;FAIL
:PREROUTING
*mangle
-m realm --realm 5;;FAIL
:POSTROUTING
*mangle
-m realm --realm 5;-m realm --realm 0x5;OK
