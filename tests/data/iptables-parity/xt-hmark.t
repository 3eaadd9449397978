# HMARK: tuple words (any prefix, any case; a word sets its option, which may not follow), masks
# and values as libxt_HMARK prints them, the checks of libxt_HMARK and xt_HMARK.
:PREROUTING,INPUT,FORWARD,OUTPUT,POSTROUTING
*mangle
-j HMARK --hmark-tuple spi --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-spi-mask 0xffffffff --hmark-rnd 0x00000001 --hmark-mod 10;OK
-j HMARK --hmark-tuple spi,sport --hmark-rnd 1 --hmark-mod 10;;FAIL
-j HMARK --hmark-tuple src, --hmark-rnd 1 --hmark-mod 10;;FAIL
-j HMARK --hmark-tuple ,src --hmark-rnd 1 --hmark-mod 10;;FAIL
-j HMARK --hmark-tuple srcx --hmark-rnd 1 --hmark-mod 10;;FAIL
-j HMARK --hmark-tuple ct --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-rnd 0x00000001 --hmark-mod 10 --hmark-tuple ct;OK
-j HMARK --hmark-spi 5 --hmark-sport 4 --hmark-rnd 1 --hmark-mod 10;;FAIL
-j HMARK --hmark-spi 5 --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-spi 0x00000005 --hmark-rnd 0x00000001 --hmark-mod 10;OK
-j HMARK --hmark-sport 5 --hmark-dport 0x10 --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-sport 0x0005 --hmark-dport 0x0010 --hmark-rnd 0x00000001 --hmark-mod 10;OK
-j HMARK --hmark-sport 65536 --hmark-rnd 1 --hmark-mod 10;;FAIL
-j HMARK --hmark-proto-mask 0x1ff --hmark-rnd 1 --hmark-mod 10;-j HMARK --hmark-proto-mask 0x1ff --hmark-rnd 0x00000001 --hmark-mod 10;OK
-j HMARK --hmark-tuple src --hmark-mod 10;;FAIL
-j HMARK --hmark-tuple src --hmark-rnd 1;;FAIL
-j HMARK --hmark-tuple src --hmark-rnd 1 --hmark-mod 0;;FAIL
-j HMARK --hmark-rnd 1 --hmark-mod 10;;FAIL
-j HMARK --hmark-rnd 1 --hmark-mod 10 --hmark-offset 3;;FAIL
-j HMARK --hmark-tuple src --hmark-rnd 1 --hmark-mod 10 --hmark-tuple dst;;FAIL
-j HMARK --hmark-tuple sport --hmark-sport-mask 3 --hmark-rnd 1 --hmark-mod 10;;FAIL
-j HMARK --hmark-tuple src --hmark-rnd -1 --hmark-mod 10;;FAIL
