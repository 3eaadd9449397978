# -m helper (libxt_helper, xt_helper): matches a connection a conntrack helper expected (an FTP
# data connection of a control connection given the ftp helper by CT --helper).
:INPUT,FORWARD,OUTPUT
-m helper --helper ftp;=;OK
-m helper ! --helper ftp;=;OK
-m helper --helper sip-5060;=;OK
-m helper --helper "ftp 2";=;OK
-m helper --helper ftp.2;-m helper --helper "ftp.2";OK
-m helper --helper "";=;OK
-m helper --helper abcdefghijklmnopqrstuvwxyz0123456789;-m helper --helper abcdefghijklmnopqrstuvwxyz012;OK
-m helper --helper ftp --helper sip;;FAIL
-m helper;;FAIL
-m helper --helpr ftp;;FAIL
