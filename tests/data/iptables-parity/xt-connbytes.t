# -m connbytes (libxt_connbytes.c; xt_connbytes.c's checkentry): all three options required; one
# number is a lower bound (xtables gives one value, the upper end stays 2^64 - 1); `!` swaps the
# ends, as the kernel holds a negated range; saved with the upper end left out when it is 0 or
# 2^64 - 1, so `0:0` is saved as `0`.
:INPUT,FORWARD,OUTPUT
-m connbytes --connbytes 10:20 --connbytes-mode bytes --connbytes-dir both;=;OK
-m connbytes --connbytes-dir reply --connbytes-mode avgpkt --connbytes 64;-m connbytes --connbytes 64 --connbytes-mode avgpkt --connbytes-dir reply;OK
-m connbytes ! --connbytes 10:20 --connbytes-mode packets --connbytes-dir original;=;OK
-m connbytes ! --connbytes 10 --connbytes-mode packets --connbytes-dir original;=;OK
-m connbytes --connbytes 0:0 --connbytes-mode packets --connbytes-dir original;-m connbytes --connbytes 0 --connbytes-mode packets --connbytes-dir original;OK
-m connbytes --connbytes 0x10:020 --connbytes-mode packets --connbytes-dir original;-m connbytes --connbytes 16:16 --connbytes-mode packets --connbytes-dir original;OK
-m connbytes --connbytes 5:18446744073709551614 --connbytes-mode bytes --connbytes-dir both;=;OK
-m connbytes --connbytes 5:18446744073709551615 --connbytes-mode bytes --connbytes-dir both;-m connbytes --connbytes 5 --connbytes-mode bytes --connbytes-dir both;OK
-m connbytes --connbytes 10 --connbytes-mode packets --connbytes-dir ORIGINAL;;FAIL
-m connbytes --connbytes 10 --connbytes-mode Packets --connbytes-dir original;;FAIL
-m connbytes --connbytes x --connbytes-mode packets --connbytes-dir original;;FAIL
-m connbytes --connbytes 10 --connbytes 20 --connbytes-mode packets --connbytes-dir original;;FAIL
-m connbytes --connbytes-mode packets --connbytes-dir original;;FAIL
-m connbytes ! --connbytes-mode packets --connbytes 10 --connbytes-dir original;;FAIL
