# LED (libxt_LED, xt_LED: fires the LED trigger "netfilter-ID" and continues): the id required,
# at most 16 characters, saved always quoted; the delay in milliseconds or a word starting "inf"
# (any case), saved unless 0 and printed with %d from its 32 unsigned bits, so "inf" saves as -1.
# This kernel has no xt_LED: these lines are iptables 1.8.11's source read, held by the ruleset
# suite; the kernel parity check names them as not checked.
:INPUT,FORWARD,OUTPUT
-j LED;;FAIL
-j LED --led-trigger-id foo;-j LED --led-trigger-id "foo";OK
-j LED --led-trigger-id 0123456789abcdef;-j LED --led-trigger-id "0123456789abcdef";OK
-j LED --led-trigger-id 0123456789abcdefg;;FAIL
-j LED --led-trigger-id foo --led-delay 0;-j LED --led-trigger-id "foo";OK
-j LED --led-trigger-id foo --led-delay 0x10;-j LED --led-trigger-id "foo" --led-delay 16;OK
-j LED --led-trigger-id foo --led-delay INFINITY;-j LED --led-trigger-id "foo" --led-delay -1;OK
-j LED --led-trigger-id foo --led-delay 3000000000;-j LED --led-trigger-id "foo" --led-delay -1294967296;OK
-j LED --led-always-blink --led-trigger-id foo;-j LED --led-trigger-id "foo" --led-always-blink;OK
-j LED --led-trigger-id foo --led-delay -1;;FAIL
-j LED --led-trigger-id foo --led-delay in;;FAIL
-j LED --led-trigger-id foo --led-delay 4294967296;;FAIL
-j LED --led-trigger-id foo --led-trigger-id bar;;FAIL
