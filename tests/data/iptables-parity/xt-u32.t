# -m u32 (libxt_u32, xt_u32): --u32 required, negatable, one argument in the test language
# (location "=" ranges, tests joined by "&&"; a location is a number, then "&", "<<", ">>" or "@"
# and a number, at most 10 numbers; at most 10 ranges and 10 tests); numbers as strtoul reads
# them in base 0 (0x hex, a leading 0 octal), 32 bits, no minus. Saved quoted, every number in
# hex, a range whose ends meet as one number, blanks gone. The kernel refuses a shift by 32 or more
# (xt_u32's checkentry, as the installed kernel has it; kernels before that check take them).
:INPUT,FORWARD,OUTPUT
*filter
-m u32 --u32 "0x0=0x0&&0x0=0x1";=;OK
-m u32 --u32 "0>>22&0x3C@12>>26&0x3C@0=0x47455420";-m u32 --u32 "0x0>>0x16&0x3c@0xc>>0x1a&0x3c@0x0=0x47455420";OK
-m u32 ! --u32 "6&0xFF=1,17";-m u32 ! --u32 "0x6&0xff=0x1,0x11";OK
-m u32 --u32 "0 >> 28 = 4 && 8 & 0xFF0000 >> 16 = 6:17";-m u32 --u32 "0x0>>0x1c=0x4&&0x8&0xff0000>>0x10=0x6:0x11";OK
-m u32 --u32 "0=5:5";-m u32 --u32 "0x0=0x5";OK
-m u32 --u32 "010=010";-m u32 --u32 "0x8=0x8";OK
-m u32 --u32 "0<<31=0";-m u32 --u32 "0x0<<0x1f=0x0";OK
-m u32 --u32 "0<<32=0";;FAIL
-m u32 --u32 "0=0&&4>>33=0";;FAIL
-m u32 --u32 "0x0=0xffffffff";=;OK
-m u32 --u32 "0&1&2&3&4&5&6&7&8&9=0";-m u32 --u32 "0x0&0x1&0x2&0x3&0x4&0x5&0x6&0x7&0x8&0x9=0x0";OK
-m u32 --u32 "0=0,1,2,3,4,5,6,7,8,9";-m u32 --u32 "0x0=0x0,0x1,0x2,0x3,0x4,0x5,0x6,0x7,0x8,0x9";OK
-m u32 --u32 "0=0&&0=1&&0=2&&0=3&&0=4&&0=5&&0=6&&0=7&&0=8&&0=9";-m u32 --u32 "0x0=0x0&&0x0=0x1&&0x0=0x2&&0x0=0x3&&0x0=0x4&&0x0=0x5&&0x0=0x6&&0x0=0x7&&0x0=0x8&&0x0=0x9";OK
-m u32 --u32 "0=0&&0=1&&0=2&&0=3&&0=4&&0=5&&0=6&&0=7&&0=8&&0=9&&0=10";;FAIL
-m u32 --u32 "0&1&2&3&4&5&6&7&8&9&10=0";;FAIL
-m u32 --u32 "0=0,1,2,3,4,5,6,7,8,9,10";;FAIL
-m u32 --u32 "0x0=0x100000000";;FAIL
-m u32 --u32 "=1";;FAIL
-m u32 --u32 "0";;FAIL
-m u32 --u32 "0=";;FAIL
-m u32 --u32 "0<1=1";;FAIL
-m u32 --u32 "0>1=1";;FAIL
-m u32 --u32 "0=1&1";;FAIL
-m u32 --u32 "0=1&&";;FAIL
-m u32 --u32 "0=1 2";;FAIL
-m u32 --u32 "0=-1";;FAIL
-m u32 --u32 "0+1=1";;FAIL
-m u32;;FAIL
