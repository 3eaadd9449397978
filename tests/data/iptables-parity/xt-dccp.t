# dccp --dccp-types and --dccp-option (libxt_dccp.c; xt_dccp.c). Type names without regard to
# case, saved in type order; INVALID stands for the types 10 to 15 and is saved last. Option kinds
# 1-255 (0, padding, is refused).
:INPUT,FORWARD,OUTPUT
-p dccp -m dccp --dccp-types DATA;=;OK
-p dccp -m dccp --dccp-types sync,request,Data;-p dccp -m dccp --dccp-types REQUEST,DATA,SYNC;OK
-p dccp -m dccp --dccp-types INVALID,RESET;-p dccp -m dccp --dccp-types RESET,INVALID;OK
-p dccp -m dccp ! --dccp-types ACK,DATAACK;=;OK
-p dccp -m dccp --dccp-types DATA,,ACK;-p dccp -m dccp --dccp-types DATA,ACK;OK
-p dccp -m dccp --sport 5000 --dccp-types REQUEST --dccp-option 32;=;OK
-p dccp -m dccp ! --dccp-option 1;=;OK
-p dccp -m dccp --dccp-option 0x20;-p dccp -m dccp --dccp-option 32;OK
-p dccp -m dccp --dccp-types BOGUS;;FAIL
-p dccp -m dccp --dccp-option 0;;FAIL
-p dccp -m dccp --dccp-option 256;;FAIL
-p dccp -m dccp --dccp-types DATA --dccp-types ACK;;FAIL
-p udp -m dccp --dccp-types DATA;;FAIL
