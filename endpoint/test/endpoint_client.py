#!/usr/bin/python3
"""Client side of tools/endpoint_test.sh: boto3 and the AWS CLI, unchanged,
against kms-policy-endpoint.  Prints TAP lines; exit status 1 on a failure.

Environment: ENDPOINT (http://127.0.0.1:PORT), AKID/SECRET (role app, mapped
to the account root), RAKID/RSECRET (role reader, mapped to a user no policy
allows), PSQL (a shell command reading SQL on stdin as a superuser),
MAX_BODY, AWS_CLI (default /usr/bin/aws).

Run with Debian's /usr/bin/python3: the clients are Debian 12's python3-boto3
(boto3 1.26, botocore 1.29) and awscli (2.9).  What those SDK models do not
know (GetKeyPolicy's PolicyName, added to the KMS model on 2024-03-18) is
checked on the wire with a raw request, never through a newer client."""
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
from botocore.exceptions import ClientError

ENDPOINT = os.environ["ENDPOINT"]
AKID, SECRET = os.environ["AKID"], os.environ["SECRET"]
RAKID, RSECRET = os.environ["RAKID"], os.environ["RSECRET"]
REGION = "us-east-1"
ACCOUNT = "111122223333"
n = 0
failures = 0


def ok(cond, name, detail=""):
    global n, failures
    n += 1
    if cond:
        print(f"ok {n} - {name}", flush=True)
    else:
        failures += 1
        print(f"not ok {n} - {name}", flush=True)
        if detail:
            for line in str(detail).splitlines():
                print(f"#   {line}", flush=True)


def sql(query):
    out = subprocess.run(os.environ["PSQL"], shell=True, input=query, text=True,
                         capture_output=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout.rstrip("\n")


def client(akid=AKID, secret=SECRET, attempts=1):
    return boto3.client("kms", endpoint_url=ENDPOINT, region_name=REGION,
                        aws_access_key_id=akid, aws_secret_access_key=secret,
                        config=botocore.config.Config(retries={"max_attempts": attempts,
                                                               "mode": "standard"}))


def error_code(fn, *a, **kw):
    try:
        fn(*a, **kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], \
            e.response["Error"].get("Message", "")
    return None, 200, ""


def raw(target, body, sign=True, headers=None):
    """A hand-made request, signed by botocore's own SigV4 signer."""
    req = botocore.awsrequest.AWSRequest(
        method="POST", url=ENDPOINT + "/", data=body.encode() if isinstance(body, str) else body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target,
                 **(headers or {})})
    if sign:
        botocore.auth.SigV4Auth(botocore.credentials.Credentials(AKID, SECRET), "kms",
                                REGION).add_auth(req)
    prepared = req.prepare()
    data = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    r = urllib.request.Request(prepared.url, data=data, method="POST",
                               headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def raw_type(target, body, **kw):
    status, text = raw(target, body, **kw)
    try:
        return status, json.loads(text).get("__type")
    except ValueError:
        return status, text


def q(s):
    return "'" + s.replace("'", "''") + "'"


kms = client()

# -- the clients are Debian's own (python3-boto3, python3-botocore)
ok(sys.executable == "/usr/bin/python3"
   and all(m.__file__.startswith("/usr/lib/python3/dist-packages/") for m in (boto3, botocore.auth)),
   f"Debian's clients: {sys.executable}, boto3 {boto3.__version__}, botocore {botocore.__version__}",
   (sys.executable, boto3.__file__, botocore.auth.__file__))

# -- CreateKey, DescribeKey
meta = kms.create_key(Description="endpoint test")["KeyMetadata"]
key_id, key_arn = meta["KeyId"], meta["Arn"]
ok(meta["KeyState"] == "Enabled" and meta["Enabled"] and meta["KeyManager"] == "CUSTOMER"
   and meta["KeySpec"] == "SYMMETRIC_DEFAULT" and meta["AWSAccountId"] == ACCOUNT
   and key_arn == f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}",
   "create_key returns KeyMetadata of an Enabled customer key", meta)
ok(sql(f"SELECT description, key_state FROM kms_describe_key({q(key_id)})") == "endpoint test|Enabled",
   "create_key: the key is in the database")
d = kms.describe_key(KeyId=key_id)["KeyMetadata"]
ok(d["Arn"] == key_arn and d["Description"] == "endpoint test" and d["MultiRegion"] is False
   and d["CreationDate"].year >= 2024, "describe_key", d)
d = kms.describe_key(KeyId=key_arn)["KeyMetadata"]
ok(d["KeyId"] == key_id, "describe_key by ARN")

mrk = kms.create_key(MultiRegion=True, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": "kms:*", "Resource": "*"}]}))["KeyMetadata"]
ok(mrk["KeyId"].startswith("mrk-") and mrk["MultiRegion"] is True
   and '"Sid": "Root"' in sql(f"SELECT kms_get_key_policy({q(mrk['KeyId'])})"),
   "create_key with MultiRegion and a Policy", mrk)
code, status, _ = error_code(kms.create_key, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")
ok(code == "UnsupportedOperationException" and status == 400,
   "create_key of an asymmetric key: UnsupportedOperationException", code)
code, status, _ = error_code(kms.create_key, Policy=json.dumps({"Statement": []}))
ok(code == "MalformedPolicyDocumentException", "create_key with an invalid policy: MalformedPolicyDocumentException",
   code)

# -- GetKeyPolicy
p = kms.get_key_policy(KeyId=key_id, PolicyName="default")
stored = sql(f"SELECT kms_get_key_policy({q(key_id)})")
ok(p["Policy"] == stored
   and json.loads(p["Policy"])["Statement"][0]["Principal"]["AWS"] == f"arn:aws:iam::{ACCOUNT}:root",
   "get_key_policy returns the stored default policy byte for byte", p)
# The wire: GetKeyPolicyResponse is {"Policy", "PolicyName"} in the current
# KMS model; boto3 1.26's older model drops PolicyName, so read the raw JSON.
for args, what in ((f'{{"KeyId": "{key_id}", "PolicyName": "default"}}', "with PolicyName"),
                   (f'{{"KeyId": "{key_arn}"}}', "by key ARN, PolicyName omitted")):
    status, text = raw("TrentService.GetKeyPolicy", args)
    body = json.loads(text) if status == 200 else {}
    ok(status == 200 and sorted(body) == ["Policy", "PolicyName"]
       and body["Policy"] == stored and body["PolicyName"] == "default",
       f"GetKeyPolicy on the wire ({what}): exactly Policy (byte for byte) and PolicyName \"default\"",
       (status, text[:300]))

# -- PutKeyPolicy
policy = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Root", "Effect": "Allow",
                   "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                   "Action": "kms:*", "Resource": "*"}]}, indent=2)
kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=policy)
ok(sql(f"SELECT kms_get_key_policy({q(key_id)})") == policy, "put_key_policy stores the document verbatim")
ok(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"] == policy,
   "get_key_policy returns the put document")
version = sql(f"SELECT kms_key_policy_version({q(key_id)})")
# refused by the grammar (not by the lockout check): an invalid Effect
bad = policy.replace('"Effect": "Allow"', '"Effect": "Alow"')
assert bad != policy
try:
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=bad)
    ok(False, "invalid policy raises MalformedPolicyDocumentException")
except kms.exceptions.MalformedPolicyDocumentException as e:
    ok(e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
       and "invalid effect" in e.response["Error"]["Message"],
       "invalid policy raises client.exceptions.MalformedPolicyDocumentException (400), from the grammar",
       e.response["Error"])
ok(sql(f"SELECT kms_get_key_policy({q(key_id)})") == policy
   and sql(f"SELECT kms_key_policy_version({q(key_id)})") == version,
   "the refused policy changed nothing")

# -- lockout safety check and its bypass, on a key of its own
lock_id = kms.create_key(Description="lockout")["KeyMetadata"]["KeyId"]
lockout = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
     "Action": ["kms:DescribeKey", "kms:GetKeyPolicy"], "Resource": "*"}]})
code, status, msg = error_code(kms.put_key_policy, KeyId=lock_id, PolicyName="default", Policy=lockout)
ok(code == "MalformedPolicyDocumentException" and status == 400,
   "lockout refusal: MalformedPolicyDocumentException", (code, msg))
kms.put_key_policy(KeyId=lock_id, PolicyName="default", Policy=lockout,
                   BypassPolicyLockoutSafetyCheck=True)
ok(sql(f"SELECT kms_get_key_policy({q(lock_id)})") == lockout, "BypassPolicyLockoutSafetyCheck stores it")
code, status, _ = error_code(kms.put_key_policy, KeyId=lock_id, PolicyName="default", Policy=policy)
ok(code == "AccessDeniedException" and status == 400,
   "after the bypass the caller may no longer put: AccessDeniedException (400)", code)

# -- ListKeys, ListKeyPolicies
lk = kms.list_keys()
ids = [k["KeyId"] for k in lk["Keys"]]
ok(key_id in ids and lock_id in ids and lk["Truncated"] is False
   and {"KeyId": key_id, "KeyArn": key_arn} in lk["Keys"], "list_keys", lk)
page = kms.list_keys(Limit=1)
ok(len(page["Keys"]) == 1 and page["Truncated"] is True and "NextMarker" in page
   and kms.list_keys(Limit=1, Marker=page["NextMarker"])["Keys"][0]["KeyId"] != page["Keys"][0]["KeyId"],
   "list_keys pages with Limit and Marker", page)
lp = kms.list_key_policies(KeyId=key_id)
ok(lp["PolicyNames"] == ["default"] and lp["Truncated"] is False, "list_key_policies", lp)

# -- DisableKey / EnableKey
kms.disable_key(KeyId=key_id)
ok(kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Disabled"
   and sql(f"SELECT key_state FROM kms_describe_key({q(key_id)})") == "Disabled", "disable_key")
kms.enable_key(KeyId=key_id)
ok(sql(f"SELECT key_state FROM kms_describe_key({q(key_id)})") == "Enabled", "enable_key")

# -- ScheduleKeyDeletion / CancelKeyDeletion
s = kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
ok(s["KeyId"] == key_arn and s["KeyState"] == "PendingDeletion" and s["PendingWindowInDays"] == 7
   and sql(f"SELECT key_state, deletion_date IS NOT NULL FROM kms_describe_key({q(key_id)})") == "PendingDeletion|t",
   "schedule_key_deletion", s)
code, _, _ = error_code(kms.disable_key, KeyId=key_id)
ok(code == "KMSInvalidStateException", "disable_key of a key pending deletion: KMSInvalidStateException", code)
c = kms.cancel_key_deletion(KeyId=key_id)
ok(c["KeyId"] == key_arn and sql(f"SELECT key_state FROM kms_describe_key({q(key_id)})") == "Disabled",
   "cancel_key_deletion: the key is Disabled", c)
kms.enable_key(KeyId=key_id)
code, _, _ = error_code(kms.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=3)
ok(code == "ValidationException", "PendingWindowInDays 3: ValidationException", code)

# -- authentication errors
code, status, _ = error_code(client(secret="wrong" + SECRET).describe_key, KeyId=key_id)
ok(code == "InvalidSignatureException" and status == 400, "wrong secret: InvalidSignatureException", code)
code, status, _ = error_code(client(akid="AKIAUNKNOWNUNKNOWN00").describe_key, KeyId=key_id)
ok(code == "UnrecognizedClientException" and status == 400, "unknown access key: UnrecognizedClientException", code)
ok(raw_type("TrentService.DescribeKey", json.dumps({"KeyId": key_id}), sign=False)
   == (400, "MissingAuthenticationTokenException"), "no Authorization: MissingAuthenticationTokenException")
ok(raw_type("TrentService.DescribeKey", json.dumps({"KeyId": key_id}), sign=False,
            headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x"})[1]
   == "IncompleteSignatureException", "malformed Authorization: IncompleteSignatureException")
rk = client(RAKID, RSECRET)
code, status, msg = error_code(rk.describe_key, KeyId=key_id)
ok(code == "AccessDeniedException" and status == 400 and "user/Reader" in msg,
   "a role whose principal no policy allows: AccessDeniedException", (code, msg))

# -- request errors
code, status, _ = error_code(kms.describe_key, KeyId="11111111-2222-3333-4444-555555555555")
ok(code == "NotFoundException" and status == 400, "unknown key id: NotFoundException", code)
code, status, _ = error_code(kms.get_key_policy, KeyId=key_id, PolicyName="other")
ok(code == "NotFoundException", "unknown policy name: NotFoundException", code)
ok(raw_type("TrentService.Encrypt", "{}") == (400, "UnknownOperationException"),
   "unknown operation: UnknownOperationException")
ok(raw_type("TrentService.DescribeKey", '{"KeyId": ') == (400, "SerializationException"),
   "malformed JSON body: SerializationException")
ok(raw_type("TrentService.DescribeKey", "{}") == (400, "ValidationException"),
   "missing KeyId: ValidationException")
ok(raw_type("TrentService.DescribeKey", '{"KeyId": 5}') == (400, "ValidationException"),
   "KeyId of the wrong type: ValidationException")
ok(raw_type("TrentService.PutKeyPolicy",
            json.dumps({"KeyId": key_id, "Policy": policy + "\u0000x"})) == (400, "ValidationException")
   and sql(f"SELECT kms_get_key_policy({q(key_id)})") == policy,
   "a policy with U+0000 is refused, not truncated")
big = json.dumps({"KeyId": key_id, "Policy": "x" * int(os.environ.get("MAX_BODY", "65536"))})
status, typ = raw_type("TrentService.PutKeyPolicy", big)
ok(status == 413 and typ == "RequestEntityTooLargeException",
   "a body above --max-body (Content-Length) is refused with 413", (status, typ))
import http.client
hc = http.client.HTTPConnection(ENDPOINT.split("//")[1], timeout=10)
hc.request("POST", "/", body=iter([b"x" * 8192] * 10),
           headers={"X-Amz-Target": "TrentService.DescribeKey",
                    "Content-Type": "application/x-amz-json-1.1"}, encode_chunked=True)
resp = hc.getresponse()
ok(resp.status == 413 and json.loads(resp.read())["__type"] == "RequestEntityTooLargeException",
   "a chunked body above --max-body is refused with 413", resp.status)
hc.close()

# -- SigV4 computed here, independently of botocore: whitespace in signed
#    header values, and the 15-minute window
def signed(target, body, when=None, extra=None):
    when = when or datetime.datetime.now(datetime.timezone.utc)
    amz = when.strftime("%Y%m%dT%H%M%SZ")
    headers = {"host": ENDPOINT.split("//")[1], "x-amz-date": amz, "x-amz-target": target,
               "content-type": "application/x-amz-json-1.1", **(extra or {})}
    names = sorted(headers)
    canon = "".join(f"{k}:{' '.join(w for w in headers[k].split(' ') if w)}\n" for k in names)
    creq = "\n".join(["POST", "/", "", canon, ";".join(names), hashlib.sha256(body).hexdigest()])
    scope = f"{amz[:8]}/{REGION}/kms/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope, hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + SECRET).encode()
    for part in (amz[:8], REGION, "kms", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    sig = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={AKID}/{scope}, "
                                f"SignedHeaders={';'.join(names)}, Signature={sig}")
    r = urllib.request.Request(ENDPOINT + "/", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, json.loads(resp.read().decode() or "{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode())


body = json.dumps({"KeyId": key_id}).encode()
status, out = signed("TrentService.DescribeKey", body, extra={"x-test-spaces": "  a   b  c "})
ok(status == 200 and out["KeyMetadata"]["KeyId"] == key_id,
   "a signature computed independently of botocore, with runs of spaces in a signed header", out)
status, out = signed("TrentService.DescribeKey", body,
                     when=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20))
ok(status == 400 and out["__type"] == "InvalidSignatureException",
   "a request signed 20 minutes ago: InvalidSignatureException", out)

# -- the pool: a connection lost is replaced without an error
sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = 'kms_endpoint'")
time.sleep(0.3)
try:
    for _ in range(6):
        kms.describe_key(KeyId=key_id)
    ok(True, "after pg_terminate_backend of every pooled connection, requests still succeed")
except ClientError as e:
    ok(False, "after pg_terminate_backend of every pooled connection, requests still succeed", e)

# -- the pool exhausted: ThrottlingException after --pool-wait-ms, never a hang
#    (ENDPOINT2 has --pool 1; its only connection waits on a lock held here)
if os.environ.get("ENDPOINT2"):
    holder = subprocess.Popen(os.environ["PSQL"], shell=True, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    holder.stdin.write("BEGIN;\nLOCK TABLE kms_policy.keys IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n")
    holder.stdin.flush()
    holder.stdout.readline()
    c2 = boto3.client("kms", endpoint_url=os.environ["ENDPOINT2"], region_name=REGION,
                      aws_access_key_id=AKID, aws_secret_access_key=SECRET,
                      config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=30))
    first = {}
    t = threading.Thread(target=lambda: first.update(kms_out=c2.describe_key(KeyId=key_id)))
    t.start()
    time.sleep(0.5)
    start = time.monotonic()
    code, status, msg = error_code(c2.describe_key, KeyId=key_id)
    elapsed = time.monotonic() - start
    holder.stdin.write("COMMIT;\n")
    holder.stdin.close()
    holder.wait()
    t.join(30)
    ok(code == "ThrottlingException" and status == 400 and elapsed < 2,
       f"pool exhausted: ThrottlingException after {elapsed:.2f} s", (code, msg))
    ok("kms_out" in first and first["kms_out"]["KeyMetadata"]["KeyId"] == key_id,
       "the request holding the connection completes once the lock is released")

# -- the AWS CLI
env = dict(os.environ, AWS_ACCESS_KEY_ID=AKID, AWS_SECRET_ACCESS_KEY=SECRET,
           AWS_DEFAULT_REGION=REGION, AWS_PAGER="")


def aws(*args):
    return subprocess.run([os.environ.get("AWS_CLI", "/usr/bin/aws"), "--endpoint-url", ENDPOINT, "kms", *args, "--output", "json"],
                          env=env, capture_output=True, text=True)


v = subprocess.run([os.environ.get("AWS_CLI", "/usr/bin/aws"), "--version"], capture_output=True, text=True)
ok(v.returncode == 0 and (v.stdout + v.stderr).startswith("aws-cli/2."),
   f"Debian's AWS CLI: {(v.stdout + v.stderr).split(' ')[0]}", v.stdout + v.stderr)
r = aws("get-key-policy", "--key-id", key_id, "--policy-name", "default")
ok(r.returncode == 0 and json.loads(r.stdout)["Policy"] == policy, "aws kms get-key-policy",
   r.stderr)
cli_policy = policy.replace('"Root"', '"RootCli"')
r = aws("put-key-policy", "--key-id", key_id, "--policy-name", "default", "--policy", cli_policy)
ok(r.returncode == 0 and sql(f"SELECT kms_get_key_policy({q(key_id)})") == cli_policy,
   "aws kms put-key-policy", r.stderr)
r = aws("list-key-policies", "--key-id", key_id)
ok(r.returncode == 0 and json.loads(r.stdout)["PolicyNames"] == ["default"], "aws kms list-key-policies",
   r.stderr)
r = aws("put-key-policy", "--key-id", key_id, "--policy-name", "default", "--policy", bad)
ok(r.returncode != 0 and "MalformedPolicyDocumentException" in r.stderr and "invalid effect" in r.stderr,
   "aws kms put-key-policy of an invalid policy fails with MalformedPolicyDocumentException", r.stderr)

# -- a bounded load: 16 clients x 20 puts; only throttling may fail, every acknowledged put is stored
acked, errors, lock = [], [], threading.Lock()


def worker(w):
    c = client()
    for i in range(20):
        doc = policy.replace('"Root"', f'"W{w}N{i}"')
        try:
            c.put_key_policy(KeyId=key_id, PolicyName="default", Policy=doc)
            with lock:
                acked.append(f"W{w}N{i}")
        except ClientError as e:
            if e.response["Error"]["Code"] != "ThrottlingException":
                with lock:
                    errors.append(e.response["Error"])


threads = [threading.Thread(target=worker, args=(w,)) for w in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
history = sql(f"SELECT string_agg(policy, E'\\x1e') FROM kms_key_policy_history({q(key_id)})")
missing = [a for a in acked if f'"{a}"' not in history]
ok(not errors and acked and not missing,
   f"load: 16 x 20 puts, {len(acked)} acknowledged, no error besides ThrottlingException, all in the history",
   (errors[:3], missing[:3]))

print(f"1..{n}")
sys.exit(1 if failures else 0)
