# Matches decided by a named assumption (socket, cgroup, cpu, ipvs, osf): their options and saved
# forms; what fwbench assumes of each is in the README ("What fwbench assumes").
:PREROUTING,INPUT
*mangle
-m socket;=;OK
-m socket --nowildcard --transparent;-m socket --transparent --nowildcard;OK
-m socket --restore-skmark;=;OK
:OUTPUT
*mangle
-m socket;;FAIL
:OUTPUT,POSTROUTING
*mangle
-m cgroup --cgroup 0x10;-m cgroup --cgroup 16;OK
-m cgroup ! --path "/";=;OK
-m cgroup --path /;-m cgroup --path "/";OK
-m cgroup --path "/" --cgroup 1;;FAIL
-m cgroup;;FAIL
:FORWARD
*mangle
-m cgroup --cgroup 1;;FAIL
:INPUT,FORWARD,OUTPUT
-m cpu --cpu 1;=;OK
-m cpu ! --cpu 0;=;OK
-m cpu --cpu -1;;FAIL
-m cpu;;FAIL
-m ipvs --ipvs;=;OK
-m ipvs ! --ipvs;=;OK
-m ipvs --ipvs --vport https;-m ipvs --vport 443;OK
-m ipvs ! --vproto udp --vdir REPLY;-m ipvs ! --vproto 17 --vdir REPLY;OK
-m ipvs --vmethod MASQ ! --vportctl 21;=;OK
-m ipvs --vmethod NAT;;FAIL
-m ipvs ! --ipvs --vport 80;;FAIL
-m ipvs;;FAIL
