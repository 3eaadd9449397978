# TCPMSS --set-mss: up to 65535 less IPv4's header.
:FORWARD
*filter
-p tcp -j TCPMSS --set-mss 65515;=;OK
-p tcp -j TCPMSS --set-mss 65516;;FAIL
