:PREROUTING,FORWARD
*mangle
-j HL;;FAIL
-j HL --hl-dec 1;=;OK
-j HL --hl-set 64 --hl-dec 1;;FAIL
-m hl;;FAIL
-m hl --hl-eq 255;=;OK
-m hl --hl-eq 255 --hl-lt 2;;FAIL
