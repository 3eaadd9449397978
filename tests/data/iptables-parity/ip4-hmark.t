# HMARK's address masks: a tuple word fills the address (32), a prefix up to 32 or a mask (a lone
# number past 32 is one, as inet_aton reads it); a mask that is no prefix is kept and saved as -1
# from iptables 1.8.11 on (1.8.9 made it all ones).
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-j HMARK --hmark-tuple src,dst --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-rnd 0x00000001 --hmark-mod 10;OK
-j HMARK --hmark-tuple s,d,sp,dp,p --hmark-rnd 0xffffffff --hmark-mod 4294967295 --hmark-offset 100;-j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff --hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0xffffffff --hmark-mod 4294967295 --hmark-offset 100;OK
-j HMARK --hmark-tuple SRC --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-src-prefix 32 --hmark-rnd 0x00000001 --hmark-mod 10;OK
-j HMARK --hmark-tuple ct,src --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-src-prefix 32 --hmark-rnd 0x00000001 --hmark-mod 10 --hmark-tuple ct;OK
-j HMARK --hmark-src-prefix 24 --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-src-prefix 24 --hmark-rnd 0x00000001 --hmark-mod 10;OK
-j HMARK --hmark-src-prefix 0 --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-src-prefix 0 --hmark-rnd 0x00000001 --hmark-mod 10;OK
-j HMARK --hmark-src-prefix 24 --hmark-tuple src --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-src-prefix 32 --hmark-rnd 0x00000001 --hmark-mod 10;OK
-j HMARK --hmark-tuple src --hmark-src-prefix 24 --hmark-rnd 1 --hmark-mod 10;;FAIL
-j HMARK --hmark-dst-prefix 64 --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-dst-prefix -1 --hmark-rnd 0x00000001 --hmark-mod 10;OK;SAVED-SINCE 1.8.11
-j HMARK --hmark-dst-prefix 129 --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-dst-prefix -1 --hmark-rnd 0x00000001 --hmark-mod 10;OK;SAVED-SINCE 1.8.11
-j HMARK --hmark-src-prefix 255.255.0.0 --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-src-prefix 16 --hmark-rnd 0x00000001 --hmark-mod 10;OK
-j HMARK --hmark-src-prefix 255.0.255.0 --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-src-prefix -1 --hmark-rnd 0x00000001 --hmark-mod 10;OK;SAVED-SINCE 1.8.11
