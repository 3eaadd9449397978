# -j SYNPROXY (libxt_SYNPROXY, xt_SYNPROXY): every option optional, each given once; --wscale and
# --mss read as 32-bit numbers (strtoul's base 0) and kept in the target's 8-bit and 16-bit
# fields, saved as kept, in the order --sack-perm, --timestamp, --wscale, --mss, --ecn. The kernel
# wants "-p tcp" (not negated) and INPUT or FORWARD, in any table that has them.
:INPUT,FORWARD
*filter
-p tcp -j SYNPROXY;=;OK
-p tcp -j SYNPROXY --sack-perm --timestamp --mss 1460 --wscale 9;-p tcp -j SYNPROXY --sack-perm --timestamp --wscale 9 --mss 1460;OK
-p tcp -j SYNPROXY --ecn --mss 0x5b4;-p tcp -j SYNPROXY --mss 1460 --ecn;OK
-p tcp -j SYNPROXY --wscale 300;-p tcp -j SYNPROXY --wscale 44;OK
-p tcp -j SYNPROXY --mss 65537;-p tcp -j SYNPROXY --mss 1;OK
-p tcp -j SYNPROXY --mss 4294967295;-p tcp -j SYNPROXY --mss 65535;OK
-p tcp -j SYNPROXY --mss 4294967296;;FAIL
-p tcp -j SYNPROXY --wscale x;;FAIL
-p tcp -j SYNPROXY --mss 1 --mss 2;;FAIL
-p tcp -j SYNPROXY --sack-perm --sack-perm;;FAIL
-p tcp -j SYNPROXY --mss;;FAIL
-j SYNPROXY;;FAIL
-p udp -j SYNPROXY;;FAIL
! -p tcp -j SYNPROXY;;FAIL
-p tcp -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --timestamp --sack-perm;-p tcp -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --sack-perm --timestamp;OK
:INPUT,FORWARD
*mangle
-p tcp -j SYNPROXY --timestamp;=;OK
:OUTPUT,PREROUTING,POSTROUTING
*mangle
-p tcp -j SYNPROXY;;FAIL
