# -m cluster (libxt_cluster, xt_cluster): the total (1-32) and the seed required, a local node
# (1-32) or a node mask, which libxt_cluster bounds as a node's number (1-32), not both; no node
# past the total; saved as the mask in hex, the total and the seed in hex. Any table and hook.
:PREROUTING,FORWARD,POSTROUTING
*mangle
-m cluster --cluster-total-nodes 32 --cluster-local-node 32 --cluster-hash-seed 1;-m cluster --cluster-local-nodemask 0x80000000 --cluster-total-nodes 32 --cluster-hash-seed 0x00000001;OK
-m cluster --cluster-total-nodes 3 --cluster-local-nodemask 5 --cluster-hash-seed 1;-m cluster --cluster-local-nodemask 0x00000005 --cluster-total-nodes 3 --cluster-hash-seed 0x00000001;OK
-m cluster --cluster-total-nodes 3 ! --cluster-local-node 1 --cluster-hash-seed 0;-m cluster ! --cluster-local-nodemask 0x00000001 --cluster-total-nodes 3 --cluster-hash-seed 0x00000000;OK
-m cluster --cluster-total-nodes 0x3 --cluster-local-node 01 --cluster-hash-seed 010;-m cluster --cluster-local-nodemask 0x00000001 --cluster-total-nodes 3 --cluster-hash-seed 0x00000008;OK
-m cluster --cluster-total-nodes 33 --cluster-local-node 1 --cluster-hash-seed 1;;FAIL
-m cluster --cluster-total-nodes 0 --cluster-local-node 1 --cluster-hash-seed 1;;FAIL
-m cluster --cluster-total-nodes 3 --cluster-local-nodemask 8 --cluster-hash-seed 1;;FAIL
-m cluster --cluster-total-nodes 6 --cluster-local-nodemask 33 --cluster-hash-seed 1;;FAIL
-m cluster --cluster-total-nodes 6 --cluster-local-nodemask 0 --cluster-hash-seed 1;;FAIL
-m cluster --cluster-total-nodes 3 --cluster-local-node 1 --cluster-local-nodemask 1 --cluster-hash-seed 0;;FAIL
-m cluster --cluster-total-nodes 3 --cluster-local-node 1;;FAIL
-m cluster --cluster-local-node 1 --cluster-hash-seed 4294967295;;FAIL
-m cluster --cluster-total-nodes 3 --cluster-hash-seed 1;;FAIL
-m cluster --cluster-total-nodes 3 --cluster-local-node 1 --cluster-hash-seed 4294967296;;FAIL
-m cluster ! --cluster-total-nodes 3 --cluster-local-node 1 --cluster-hash-seed 1;;FAIL
:INPUT,OUTPUT
*filter
-m cluster --cluster-total-nodes 2 --cluster-local-node 2 --cluster-hash-seed 0xfeedcafe;-m cluster --cluster-local-nodemask 0x00000002 --cluster-total-nodes 2 --cluster-hash-seed 0xfeedcafe;OK
