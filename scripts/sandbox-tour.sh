#!/usr/bin/env bash
# A short curl session against a running `paysync sandbox`: a few real calls to each simulator.
# The README shows it; a test runs it, so it stays true.
#
#   paysync sandbox --json > /tmp/sandbox.out &      # first line: {"salesforce": URL, "stripe": URL, ...}
#   scripts/sandbox-tour.sh /tmp/sandbox.out
set -euo pipefail
urls_file=${1:?usage: sandbox-tour.sh FILE_WITH_THE_SANDBOX_JSON_LINE}
line=$(head -n 1 "$urls_file")
url() { printf '%s' "$line" | sed -E "s/.*\"$1\":\"([^\"]+)\".*/\1/"; }
SF=$(url salesforce) ST=$(url stripe) CO=$(url checkout) PO=$(url payoneer) MP=$(url maldopay)
field() { sed -E "s/.*\"$1\":\"?([^\",}]+)\"?.*/\1/"; }
say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }

say "Salesforce: OAuth with PKCE through the consent page (as a browser would), then SOQL and the API-usage header"
REDIRECT=http://127.0.0.1:53682/callback
VERIFIER=tour-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
CHALLENGE=$(printf %s "$VERIFIER" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '=')
REQUEST=$(curl -fsS -G "$SF/services/oauth2/authorize" -d response_type=code -d client_id=paysync-sandbox \
  --data-urlencode "redirect_uri=$REDIRECT" -d "code_challenge=$CHALLENGE" -d code_challenge_method=S256 \
  -d state=tour-state --data-urlencode 'scope=api refresh_token' | grep -o 'name="request_id" value="[^"]*"' | cut -d '"' -f 4)
LOCATION=$(curl -fsS -o /dev/null -w '%{redirect_url}' "$SF/services/oauth2/authorize/decision" \
  -d "request_id=$REQUEST" -d decision=allow)
echo "consent redirected to ${LOCATION%%\?*} with state=$(printf %s "$LOCATION" | sed -E 's/.*[?&]state=([^&]+).*/\1/')"
CODE=$(printf %s "$LOCATION" | sed -E 's/.*[?&]code=([^&]+).*/\1/')   # still URL-encoded, sent as is
SF_TOKEN=$(curl -fsS "$SF/services/oauth2/token" -d grant_type=authorization_code --data "code=$CODE" \
  -d client_id=paysync-sandbox --data-urlencode "redirect_uri=$REDIRECT" -d "code_verifier=$VERIFIER" | field access_token)
curl -fsS -G "$SF/services/data/v66.0/query" -H "Authorization: Bearer $SF_TOKEN" \
  --data-urlencode "q=SELECT Id, Amount__c, Currency__c, Status__c FROM Payment__c WHERE Status__c = 'Completed' ORDER BY Paid_At__c DESC LIMIT 2"
echo
curl -fsS -D - -o /dev/null "$SF/services/data/v66.0/limits" -H "Authorization: Bearer $SF_TOKEN" | grep -i '^sforce-limit-info'

say "Stripe: list customers, then a payment with an idempotency key, sent twice (the second is a replay)"
curl -fsS "$ST/v1/customers?limit=1" -u sk_test_sandbox: | grep -E '"(id|email|has_more)"'
for attempt in 1 2; do
  curl -fsS -D - -o /dev/null "$ST/v1/payment_intents" -u sk_test_sandbox: -H 'Idempotency-Key: tour-payment-1' \
    -d amount=2500 -d currency=eur -d payment_method=pm_card_visa -d confirm=true | grep -iE '^(HTTP|idempotent-replayed)'
done

say "Checkout.com: a card payment (201 Authorized), then look it up"
PAY=$(curl -fsS "$CO/payments" -H 'Authorization: Bearer sk_sbox_sandbox' -H 'content-type: application/json' \
  -d '{"amount":1500,"currency":"EUR","reference":"tour-1","source":{"type":"card","number":"4242424242424242","expiry_month":12,"expiry_year":2030,"cvv":"100"}}' \
  | grep -o '"id":"pay_[a-z0-9]*"' | head -n 1 | cut -d '"' -f 4)
curl -fsS "$CO/payments/$PAY" -H 'Authorization: Bearer sk_sbox_sandbox' | grep -o '"status":"[^"]*"' | head -n 1

say "Payoneer: a client-credentials token, a payee's status, and an unknown payout (404, sub_code 2306)"
PO_TOKEN=$(curl -fsS "$PO/api/v2/oauth2/token" -u paysync-sandbox:sandbox-secret \
  -d grant_type=client_credentials --data-urlencode 'scope=read write' | field access_token)
curl -fsS "$PO/v4/programs/100010001/payees/vendor-0010/status" -H "Authorization: Bearer $PO_TOKEN"
echo
curl -sS "$PO/v4/programs/100010001/payouts/no-such-reference/status" -H "Authorization: Bearer $PO_TOKEN"
echo

say "MaldoPay: the two-step flow (player auth token, then a Pix deposit)"
MP_TOKEN=$(curl -fsS "$MP/json/sandbox/auth/" --data-urlencode \
  'json={"auth":{"clientId":1001,"brandId":1,"request":{"firstName":"Ana","lastName":"Lima","playerId":"player-1","currencyCode":"BRL","countryCode":"BR","emailAddress":"ana@example.example"}}}' \
  | field token)
curl -fsS "$MP/json/sandbox/transactions/" --data-urlencode \
  "json={\"transaction\":{\"clientId\":1001,\"brandId\":1,\"request\":{\"serviceId\":2157,\"currencyCode\":\"BRL\",\"type\":\"DEPOSIT\",\"token\":\"$MP_TOKEN\",\"ipAddr\":\"127.0.0.1\",\"amount\":5000,\"reason\":\"tour\",\"referenceOrderId\":\"tour-1\"}}}"
echo
say "Tour complete."
