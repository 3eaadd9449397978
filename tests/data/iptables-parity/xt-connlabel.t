# -m connlabel (libxt_connlabel, xt_connlabel), on a host without /etc/xtables/connlabel.conf:
# --label is required, once, and may be negated; --set may not. The label is strtoul(.., 0)'s
# value taken as an int (negative: no number, and without the labels file no name either) and
# then cut to 16 bits; the kernel refuses a bit past 127. Saved quoted, by number. Any table and
# hook.
:INPUT,FORWARD,OUTPUT
-m connlabel --label 40;-m connlabel --label "40";OK
-m connlabel ! --label "41" --set;-m connlabel ! --label "41" --set;OK
-m connlabel --set --label 0;-m connlabel --label "0" --set;OK
-m connlabel --label 0x7f;-m connlabel --label "127";OK
-m connlabel --label 040;-m connlabel --label "32";OK
-m connlabel --label 65576;-m connlabel --label "40";OK
-m connlabel --label 4294967336;-m connlabel --label "40";OK
-m connlabel --label -4294967256;-m connlabel --label "40";OK
-m connlabel --label +40;-m connlabel --label "40";OK
-m connlabel --label " 40";-m connlabel --label "40";OK
-m connlabel --label 128;;FAIL
-m connlabel --label 65535;;FAIL
-m connlabel --label 2147483648;;FAIL
-m connlabel --label -40;;FAIL
-m connlabel --label 99999999999999999999;;FAIL
-m connlabel --label foo;;FAIL
-m connlabel --label 40x;;FAIL
-m connlabel --label 0x;;FAIL
-m connlabel --label "";;FAIL
-m connlabel --set;;FAIL
-m connlabel ! --set --label 3;;FAIL
-m connlabel --label 3 --label 4;;FAIL
:PREROUTING,POSTROUTING
*mangle
-m connlabel --label 127 --set;-m connlabel --label "127" --set;OK
:PREROUTING,OUTPUT
*raw
-m connlabel --label 1;-m connlabel --label "1";OK
