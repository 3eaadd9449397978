# TCPMSS --set-mss: up to 65535 less IPv6's header.
:FORWARD
*filter
-p tcp -j TCPMSS --set-mss 65495;=;OK
-p tcp -j TCPMSS --set-mss 65496;;FAIL
