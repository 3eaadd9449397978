# -m bpf (libxt_bpf, xt_bpf): --bytecode "N,code jt jf k,..." as nfbpf_compile writes it, read
# with sscanf: "%hu%c" for the length and its comma (blanks and a sign before each number,
# 16/8/8/32-bit values kept modulo, text after an instruction's fourth number not looked at), 1 to
# 64 instructions, exactly as many as the length says. The kernel loads it with bpf_prog_create:
# only classic codes, no division or remainder by a constant 0, no constant shift by 32 or more,
# scratch words 0-15 read only after a write on every path, jumps forward inside the program,
# only the ancillary loads it knows, a return last. Saved quoted, numbers in decimal.
:INPUT,FORWARD,OUTPUT
*filter
-m bpf --bytecode "4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0";=;OK
-m bpf --bytecode "1,6 0 0 0";=;OK
-m bpf --bytecode "1,6 0 0 4294967295";=;OK
-m bpf --bytecode " 2, 48 0 0 0 ,22 0 0 0";-m bpf --bytecode "2,48 0 0 0,22 0 0 0";OK
-m bpf --bytecode "2,+48 0 0 0,6 0 0 1,";-m bpf --bytecode "2,48 0 0 0,6 0 0 1";OK
-m bpf --bytecode "2,48 0 0 0 ignored,6 0 0 1";-m bpf --bytecode "2,48 0 0 0,6 0 0 1";OK
-m bpf --bytecode "1,6 0 0 -1";-m bpf --bytecode "1,6 0 0 4294967295";OK
-m bpf --bytecode "1,6 0 0 4294967296";-m bpf --bytecode "1,6 0 0 0";OK
-m bpf --bytecode "65537,6 0 0 7";-m bpf --bytecode "1,6 0 0 7";OK
-m bpf --bytecode "1,65542 0 0 7";-m bpf --bytecode "1,6 0 0 7";OK
-m bpf --bytecode "3,32 0 0 4294963220,21 0 1 2048,6 0 0 1";;FAIL
-m bpf --bytecode "4,32 0 0 4294963200,21 0 1 2048,6 0 0 1,6 0 0 0";=;OK
-m bpf --bytecode "4,32 0 0 4294963220,21 0 1 7,6 0 0 1,6 0 0 0";=;OK
-m bpf --bytecode "3,32 0 0 4293918720,84 0 0 4026531840,22 0 0 0";=;OK
-m bpf --bytecode "5,2 0 0 3,177 0 0 0,96 0 0 3,12 0 0 0,22 0 0 0";=;OK
-m bpf --bytecode "3,0 0 0 5,7 0 0 0,22 0 0 0";=;OK
-m bpf --bytecode "4,0 0 0 1,21 1 0 1,2 0 0 0,22 0 0 0";=;OK
-m bpf --bytecode "5,0 0 0 1,21 1 0 1,2 0 0 0,96 0 0 0,22 0 0 0";;FAIL
-m bpf --bytecode "5,0 0 0 1,21 0 1 1,2 0 0 0,96 0 0 0,22 0 0 0";;FAIL
-m bpf --bytecode "5,2 0 0 0,5 0 0 1,6 0 0 0,96 0 0 0,22 0 0 0";=;OK
-m bpf --bytecode "5,5 0 0 1,2 0 0 0,96 0 0 0,96 0 0 0,22 0 0 0";;FAIL
-m bpf --bytecode "3,2 0 0 0,96 0 0 0,22 0 0 0";=;OK
-m bpf --bytecode "2,96 0 0 0,22 0 0 0";;FAIL
-m bpf --bytecode "3,2 0 0 16,96 0 0 16,22 0 0 0";;FAIL
-m bpf --bytecode "2,52 0 0 0,22 0 0 0";;FAIL
-m bpf --bytecode "2,148 0 0 0,22 0 0 0";;FAIL
-m bpf --bytecode "2,60 0 0 0,22 0 0 0";=;OK
-m bpf --bytecode "2,100 0 0 31,22 0 0 0";=;OK
-m bpf --bytecode "2,100 0 0 32,22 0 0 0";;FAIL
-m bpf --bytecode "2,116 0 0 32,22 0 0 0";;FAIL
-m bpf --bytecode "2,108 0 0 0,22 0 0 0";=;OK
-m bpf --bytecode "2,5 0 0 1,6 0 0 0";;FAIL
-m bpf --bytecode "3,5 0 0 1,6 0 0 0,6 0 0 1";=;OK
-m bpf --bytecode "2,21 1 0 0,6 0 0 0";;FAIL
-m bpf --bytecode "2,21 0 1 0,6 0 0 0";;FAIL
-m bpf --bytecode "1,48 0 0 0";;FAIL
-m bpf --bytecode "2,6 0 0 0,48 0 0 0";;FAIL
-m bpf --bytecode "1,255 0 0 0";;FAIL
-m bpf --bytecode "2,56 0 0 0,6 0 0 0";;FAIL
-m bpf --bytecode "2,32 0 0 4294963264,6 0 0 0";;FAIL
-m bpf --bytecode "2,32 0 0 4294963202,6 0 0 0";;FAIL
-m bpf --bytecode "0,6 0 0 0";;FAIL
-m bpf --bytecode "1";;FAIL
-m bpf --bytecode "1 ,6 0 0 0";;FAIL
-m bpf --bytecode "x,6 0 0 0";;FAIL
-m bpf --bytecode "2,6 0 0 0";;FAIL
-m bpf --bytecode "1,6 0 0 0,6 0 0 0";;FAIL
-m bpf --bytecode "1,6 0 0";;FAIL
-m bpf --bytecode "2,6 0 0 0,,6 0 0 0";;FAIL
-m bpf --bytecode "65,6 0 0 0";;FAIL
-m bpf --bytecode "1,0x6 0 0 0";;FAIL
-m bpf;;FAIL
-m bpf --bytecode "1,6 0 0 0" --bytecode "1,6 0 0 0";;FAIL
-m bpf ! --bytecode "1,6 0 0 0";;FAIL
