# The IPv6 header modules' ranges: like ports, a range of every value is left out unless negated.
:INPUT,FORWARD
-m rt --rt-segsleft 2:;-m rt --rt-segsleft 2:4294967295;OK
-m rt --rt-segsleft :;-m rt;OK
-m rt ! --rt-segsleft :;-m rt ! --rt-segsleft 0:4294967295;OK;SAVED-SINCE 1.8.10
-m rt --rt-segsleft 9:2;;FAIL;SINCE 1.8.10
-m frag --fragid :;-m frag;OK
-m frag --fragid 7:7;-m frag --fragid 7;OK
-m ah --ahspi 0:4294967295;-m ah;OK
-m ah ! --ahspi :;-m ah ! --ahspi 0:4294967295;OK;SAVED-SINCE 1.8.10
