# -m string (libxt_string revision 1, xt_string): --algo is required, one of --string and
# --hex-string (each negatable); --from and --to are 16-bit offsets, --to defaulting to 65535
# (xt_string's checkentry refuses --from past --to); at most 128 pattern bytes, none is an empty
# pattern (textsearch_prepare: EINVAL); an algorithm the kernel lacks is refused (ENOENT). Saved
# pattern first — as --string, quoted with " and \ escaped, unless a byte is not printable or
# the last is a backslash: then as --hex-string "|..|" — then --algo, --from and --to unless
# they are the defaults, --icase.
:INPUT,FORWARD,OUTPUT
*filter
-m string --string "GET /" --algo kmp;=;OK
-m string --string "get" --algo bm --icase;=;OK
-m string --icase --algo bm --string "get";-m string --string "get" --algo bm --icase;OK
-m string ! --string "x" --algo kmp --from 40 --to 1500;=;OK
-m string --string "x" --algo bm --to 0;=;OK
-m string --string "x" --algo bm --from 0 --to 65535;-m string --string "x" --algo bm;OK
-m string --string "x" --algo bm --from 65535;=;OK
-m string --string "a\"b" --algo bm;=;OK
-m string --string "back\\slash" --algo bm;=;OK
-m string --string "x\\" --algo bm;-m string --hex-string "|785c|" --algo bm;OK
-m string --hex-string "|47 45 54|" --algo kmp;-m string --string "GET" --algo kmp;OK
-m string --hex-string "|  474554|" --algo kmp;-m string --string "GET" --algo kmp;OK
-m string --hex-string "ab|0d0a|cd" --algo bm;-m string --hex-string "|61620d0a6364|" --algo bm;OK
-m string ! --hex-string "|00ff|" --algo kmp --icase;=;OK
-m string --hex-string "|e9|" --algo bm;=;OK
-m string --string "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" --algo kmp;=;OK
-m string --string "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" --algo kmp;;FAIL
-m string --string "x" --algo bm --from 10 --to 9;;FAIL
-m string --string "x" --algo bm --from 65536;;FAIL
-m string --string "x" --algo bm --to -1;;FAIL
-m string --hex-string "|0g|" --algo bm;;FAIL
-m string --hex-string "|0a" --algo bm;;FAIL
-m string --hex-string "|0a0|" --algo bm;;FAIL
-m string --hex-string "|" --algo bm;;FAIL
-m string --string "x" --hex-string "|0a|" --algo bm;;FAIL
-m string --string "x" --algo nosuch;;FAIL
-m string --string "x" --algo abcdefghijklmnop;;FAIL
-m string --string "x";;FAIL
-m string --algo kmp;;FAIL
-m string --string "x" --algo bm ! --icase;;FAIL
