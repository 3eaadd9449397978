# sctp --chunk-types MATCH CHUNKS (libxt_sctp.c's parse_sctp_chunks and print_chunks; the
# kernel's xt_sctp.c checkentry). Names and the match type without regard to case; saved as
# lower-case match type, then NONE, ALL or the names in type order. Flags after ':' are letters of
# the chunk's own flags (upper case: set, lower case: clear); iptables looks each up in the
# chunk's flag string as written, so '-' names its high bit. A flag entry is keyed by the index
# of the name in iptables' table, so I_DATA's flags are kept but not saved.
:INPUT,FORWARD,OUTPUT
-p sctp -m sctp --chunk-types any DATA;=;OK
-p sctp -m sctp --chunk-types ANY data,init;-p sctp -m sctp --chunk-types any DATA,INIT;OK
-p sctp -m sctp --chunk-types only INIT,DATA,SACK;-p sctp -m sctp --chunk-types only DATA,INIT,SACK;OK
-p sctp -m sctp --chunk-types all ASCONF,DATA,I_DATA,PAD;-p sctp -m sctp --chunk-types all DATA,I_DATA,PAD,ASCONF;OK
-p sctp -m sctp ! --chunk-types any ABORT;=;OK
-p sctp -m sctp --chunk-types all all;-p sctp -m sctp --chunk-types all ALL;OK
-p sctp -m sctp --chunk-types any NONE;=;OK
-p sctp -m sctp --chunk-types any DATA:BE;=;OK
-p sctp -m sctp --chunk-types any DATA:be;=;OK
-p sctp -m sctp --chunk-types any DATA:EbUi;-p sctp -m sctp --chunk-types any DATA:iUbE;OK
-p sctp -m sctp --chunk-types any ABORT:T,SHUTDOWN_COMPLETE:t;=;OK
-p sctp -m sctp --chunk-types any DATA:-;=;OK
-p sctp -m sctp --chunk-types any INIT:-;=;OK
-p sctp -m sctp --chunk-types any I_DATA:B;-p sctp -m sctp --chunk-types any I_DATA;OK
-p sctp -m sctp --chunk-types any DATA,,INIT;-p sctp -m sctp --chunk-types any DATA,INIT;OK
-p sctp -m sctp --sport 5000 --dport 6000:6010 --chunk-types only DATA;=;OK
-p sctp -m sctp --chunk-types any DATA:B,ABORT:T,SHUTDOWN_COMPLETE:T,COOKIE_ECHO:-;-p sctp -m sctp --chunk-types any DATA:B,ABORT:T,COOKIE_ECHO:-,SHUTDOWN_COMPLETE:T;OK
-p sctp -m sctp --chunk-types any DATA:B,ABORT:T,SHUTDOWN_COMPLETE:T,COOKIE_ECHO:-,INIT:-;;FAIL
-p sctp -m sctp --chunk-types any DATA:X;;FAIL
-p sctp -m sctp --chunk-types any INIT:T;;FAIL
-p sctp -m sctp --chunk-types some DATA;;FAIL
-p sctp -m sctp --chunk-types any BOGUS;;FAIL
-p sctp -m sctp --chunk-types any ALL,DATA;;FAIL
-p sctp -m sctp --chunk-types any;;FAIL
-p sctp -m sctp --chunk-types any DATA --chunk-types all INIT;;FAIL
-p sctp -m sctp --chunk-types any DATA --chunk-types any DATA;;FAIL
-p tcp -m sctp --chunk-types any DATA;;FAIL
