# NFQUEUE's balanced queues (at least two, the last below 65535) and CT's zone (16 bits).
:INPUT,OUTPUT
-j NFQUEUE --queue-balance 2:5;=;OK
-j NFQUEUE --queue-balance 7;;FAIL
-j NFQUEUE --queue-balance 5:5;;FAIL
-j NFQUEUE --queue-balance 9:2;;FAIL
-j NFQUEUE --queue-balance 0:65535;;FAIL
-j NFQUEUE --queue-balance 10:;-j NFQUEUE --queue-balance 10:65534;OK;SAVED-SINCE 1.8.10
-j NFQUEUE --queue-num 3 --queue-balance 4:6;;FAIL
-j NFQUEUE --queue-num 3 --queue-cpu-fanout;;FAIL
:PREROUTING,OUTPUT
*raw
-j CT --zone 7;=;OK
-j CT --zone 65535;=;OK
-j CT --zone 65536;;FAIL
-j CT --zone -2;;FAIL
