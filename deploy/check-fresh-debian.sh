#!/usr/bin/env bash
# shellcheck disable=SC2015  # ok() and bad() always succeed, so "test && ok || bad" is an if-then-else here
# Check docs/deploy.md's one-machine recipe on a fresh Debian 12 machine, for real: systemd as PID 1 in a
# systemd-nspawn container with its own network, the recipe's shell block run as written (placeholders filled
# in, listed below), then requests through the front door. Run as root from a checkout:
#
#     sudo deploy/check-fresh-debian.sh
#
# Needs debootstrap, systemd-container (systemd-nspawn), iptables, curl and git on the host, and the host's
# Debian mirror and the Python package index reachable from it (the container reaches them through NAT on a
# veth pair). Takes 5 to 15 minutes; not part of `make test`. Idempotent: a previous run's container, veth and
# NAT rule are removed first, and again on exit. Nothing listens on the host: the container's PostgreSQL,
# Redis, gunicorn, Varnish and nginx live in its own network namespace.
#
# Placeholders filled in, each of which must appear in the docs exactly once (or the check fails):
#   <your Press Centre repository>  a clone of this checkout's tracked files, working-tree state
#   --pwprompt                      the password is typed on standard input
#   $EDITOR /etc/presscentre/env    EDITOR writes the "Settings for production" block, its placeholders filled
#   createsuperuser                 --no-input, with DJANGO_SUPERUSER_* variables
#   certbot certonly ...            a self-signed certificate where certbot would put its own (no public DNS here)
#
# Environment: CHECK_DIR (default /var/tmp/presscentre-fresh-debian) holds the cached base system, the logs
# and, while it runs, the container; REBUILD_BASE=1 runs debootstrap again; KEEP=1 keeps the container's files
# after the run (it is stopped either way); CHECK_SUBNET (default 10.213.57) names the /30 for the veth pair;
# HOLD=1 keeps the container running after the checks until $CHECK_DIR/hold is removed, to look around;
# LOCK_PINS="name==version ..." replaces pins in the cloned requirements.lock, to look past a bad pin (the run
# then counts as failed).
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHECK_DIR=${CHECK_DIR:-/var/tmp/presscentre-fresh-debian}
SUBNET=${CHECK_SUBNET:-10.213.57}
HOST_IP=$SUBNET.1
GUEST_IP=$SUBNET.2
MACHINE=pcfresh
VETH=ve-$MACHINE
RELEASE=bookworm
SITE=press.example.org
NAT_TAG=presscentre-fresh-check
BASE=$CHECK_DIR/base
ROOT=$CHECK_DIR/machine
LOGS=$CHECK_DIR/logs
GUEST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
STEP=0
FAILED=()
LEADER=

say() { printf '\n==> [%s] %s\n' "$((++STEP))" "$*"; }
note() { printf '    %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
bad() {
    printf '    FAILED: %s\n' "$*"
    FAILED+=("$*")
}
die() {
    bad "$*"
    exit 1
}

# A command inside the container, in all its namespaces, with a clean environment (the host's PIP_* and
# proxy variables must not leak into the "fresh" machine).
in_guest() {
    nsenter --target "$LEADER" --all -- env -i PATH="$GUEST_PATH" HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
}

# A manage.py command as the app's user with the production settings, as the recipe runs migrate.
manage() {
    in_guest bash -c 'set -a && . /etc/presscentre/env && set +a && cd /srv/presscentre &&
        exec runuser -u presscentre -- .venv/bin/python manage.py "$@"' manage "$@"
}

# --- tear-down, also run first so that a previous, interrupted run leaves nothing behind ---------------------

# Is this pid still the process the file recorded (same program, same machine)?
still_ours() {
    [[ -r /proc/$1/cmdline ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "$2"
}

stop_container() {
    local pid leader
    if [[ -f $CHECK_DIR/nspawn.pid ]]; then
        pid=$(cat "$CHECK_DIR/nspawn.pid")
        leader=$(cat "$CHECK_DIR/leader.pid" 2>/dev/null || true)
        if still_ours "$pid" "systemd-nspawn.*--machine=$MACHINE "; then
            kill -TERM "$pid" 2>/dev/null || true # nspawn asks the container's systemd to shut down
            for _ in $(seq 60); do [[ -d /proc/$pid ]] || break; sleep 1; done
            if [[ -d /proc/$pid ]]; then
                note "the container did not stop in 60 s: killing it"
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
        # The container's init, should it outlive nspawn: killing it ends everything in its pid namespace.
        if [[ -n $leader ]] && still_ours "$leader" "systemd"; then
            [[ $(readlink "/proc/$leader/ns/pid") != "$(readlink /proc/self/ns/pid)" ]] && kill -KILL "$leader" 2>/dev/null
            sleep 1
        fi
        rm -f "$CHECK_DIR/nspawn.pid" "$CHECK_DIR/leader.pid"
    fi
    rm -f "$CHECK_DIR/.#machine.lck"
}

remove_network() {
    ip link show "$VETH" >/dev/null 2>&1 && ip link delete "$VETH"
    for table_rule in "nat POSTROUTING -s $SUBNET.0/30 -j MASQUERADE" "filter FORWARD -s $SUBNET.0/30 -j ACCEPT" \
        "filter FORWARD -d $SUBNET.0/30 -j ACCEPT"; do
        read -r table chain rule <<<"$table_rule"
        # shellcheck disable=SC2086  # the rule is words
        while iptables -t "$table" -D "$chain" $rule -m comment --comment "$NAT_TAG" 2>/dev/null; do :; done
    done
    if [[ -f $CHECK_DIR/ip_forward.saved ]]; then
        cat "$CHECK_DIR/ip_forward.saved" >/proc/sys/net/ipv4/ip_forward
        rm -f "$CHECK_DIR/ip_forward.saved"
    fi
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    printf '\n==> cleaning up: container, veth, NAT\n'
    [[ -n $LEADER ]] && collect_journal
    stop_container
    remove_network
    if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$ROOT"; fi
    if ((status == 0 && ${#FAILED[@]} == 0)); then
        printf '\nPASS: the one-machine recipe of docs/deploy.md works on a fresh Debian %s (%s). Logs: %s\n' \
            "$(cat "$BASE/etc/debian_version" 2>/dev/null)" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$LOGS"
    else
        printf '\nFAIL: %s check(s) failed:\n' "${#FAILED[@]}"
        printf '  - %s\n' "${FAILED[@]:-the script stopped (status $status)}"
        printf 'Logs: %s\n' "$LOGS"
        exit 1
    fi
}

# --- the steps ------------------------------------------------------------------------------------------------

preflight() {
    say "Preflight: root, tools, a clean slate in $CHECK_DIR"
    [[ $(id -u) == 0 ]] || die "run as root"
    local tool missing=()
    for tool in debootstrap systemd-nspawn iptables nsenter curl git tar; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    ((${#missing[@]} == 0)) || die "missing on the host: ${missing[*]} (apt-get install debootstrap systemd-container iptables curl git)"
    mkdir -p "$CHECK_DIR" "$LOGS"
    rm -f "$LOGS"/*.log
    stop_container
    remove_network
    rm -rf "$ROOT" "$CHECK_DIR/src"
    ok "repository $REPO, work folder $CHECK_DIR"
}

# The host's own Debian mirror (and security mirror), as its apt sees them.
host_mirror() {
    # shellcheck disable=SC2016  # apt's own $(FIELD) placeholders
    apt-get indextargets --format '$(REPO_URI) $(CODENAME) $(ORIGIN)' 'Identifier: Packages' |
        awk -v want="$1" '$3 == "Debian" && $2 == want { print $1; exit }'
}

base_system() {
    say "Base system: Debian $RELEASE by debootstrap (cached in $BASE)"
    MIRROR=$(host_mirror "$RELEASE")
    SECURITY_MIRROR=$(host_mirror "$RELEASE-security")
    [[ -n $MIRROR ]] || die "the host's apt lists no Debian $RELEASE mirror"
    if [[ ${REBUILD_BASE:-0} == 1 || ! -f $BASE/.complete ]]; then
        rm -rf "$BASE"
        note "debootstrap $RELEASE from $MIRROR (about a minute)"
        debootstrap "$RELEASE" "$BASE" "$MIRROR" >"$LOGS/debootstrap.log" 2>&1 ||
            die "debootstrap failed: see $LOGS/debootstrap.log"
        touch "$BASE/.complete"
    fi
    ok "Debian $(cat "$BASE/etc/debian_version"), default debootstrap variant (required + important packages)"
}

# Where the host reaches the package indexes through a TLS-inspecting proxy, its CA bundle holds authorities
# that Debian does not ship, and its pip is told to use that bundle. Give the container the same (the
# authorities under /usr/local/share/ca-certificates, picked up when the recipe installs ca-certificates, and
# pip's `cert` setting): network plumbing of this host, not a step of the recipe. On an open network: nothing.
host_trust() {
    local count
    count=$(python3 - "$ROOT/usr/local/share/ca-certificates" <<'EOF'
import glob, os, re, sys
pem = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)
def norm(text): return "".join(text.split())
shipped = {norm(c) for f in glob.glob("/usr/share/ca-certificates/**/*.crt", recursive=True) for c in pem.findall(open(f).read())}
try:
    host = pem.findall(open("/etc/ssl/certs/ca-certificates.crt").read())
except OSError:
    host = []
extra = [c for c in host if norm(c) not in shipped]
os.makedirs(sys.argv[1], exist_ok=True)
for number, cert in enumerate(extra, start=1):
    with open(os.path.join(sys.argv[1], f"host-network-{number}.crt"), "w") as out:
        out.write(cert + "\n")
print(len(extra))
EOF
    )
    if ((count > 0)); then
        printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$ROOT/etc/pip.conf"
        note "the host's network needs $count certificate authorities Debian does not ship: copied in, pip uses the system bundle"
    fi
}

fresh_machine() {
    say "Fresh machine: a copy of the base, the mirror's sources, the repository to clone"
    cp -a "$BASE" "$ROOT"
    {
        echo "deb $MIRROR $RELEASE main"
        echo "deb $MIRROR $RELEASE-updates main"
        [[ -n $SECURITY_MIRROR ]] && echo "deb $SECURITY_MIRROR $RELEASE-security main"
    } >"$ROOT/etc/apt/sources.list"
    echo "$MACHINE" >"$ROOT/etc/hostname"
    host_trust
    # The repository a new admin would clone: this checkout's files as they are now (tracked, and new ones not
    # ignored: other work in progress may need them), as one commit.
    mkdir -p "$CHECK_DIR/src"
    git -C "$REPO" ls-files -z --cached --others --exclude-standard | tar -C "$REPO" --null -T - -cf - | tar -C "$CHECK_DIR/src" -xf -
    if [[ -n ${LOCK_PINS:-} ]]; then
        local pin
        for pin in $LOCK_PINS; do
            grep -qi "^${pin%%==*}==" "$CHECK_DIR/src/requirements.lock" || die "LOCK_PINS: ${pin%%==*} is not in requirements.lock"
            sed -i "s/^${pin%%==*}==.*/$pin/I" "$CHECK_DIR/src/requirements.lock"
        done
        bad "not the repository as it is: requirements.lock changed for this run (LOCK_PINS=$LOCK_PINS)"
    fi
    git -C "$CHECK_DIR/src" init -q -b main
    git -C "$CHECK_DIR/src" add -A
    git -C "$CHECK_DIR/src" -c user.name=check -c user.email=check@localhost commit -q -m "Press Centre under test"
    git clone -q --bare "$CHECK_DIR/src" "$ROOT/root/presscentre.git"
    rm -rf "$CHECK_DIR/src"
    ok "repository at /root/presscentre.git inside ($(git -C "$ROOT/root/presscentre.git" ls-tree -r --name-only HEAD | wc -l) files)"
}

boot() {
    say "Boot: systemd-nspawn -b (systemd as PID 1), private network on a veth pair"
    setsid systemd-nspawn --boot --directory="$ROOT" --machine="$MACHINE" --register=no --keep-unit \
        --network-veth --resolv-conf=copy-host --console=passive >"$LOGS/nspawn.log" 2>&1 </dev/null &
    echo $! >"$CHECK_DIR/nspawn.pid"
    local pid=$! state=
    for _ in $(seq 60); do
        LEADER=$(pgrep -P "$pid" -x systemd || true)
        [[ -n $LEADER ]] && break
        [[ -d /proc/$pid ]] || die "systemd-nspawn exited: $(tail -n 5 "$LOGS/nspawn.log")"
        sleep 1
    done
    [[ -n $LEADER ]] || die "no systemd inside after 60 s: $(tail -n 5 "$LOGS/nspawn.log")"
    echo "$LEADER" >"$CHECK_DIR/leader.pid"
    state=$(in_guest timeout 120 systemctl is-system-running --wait || true)
    [[ $state == running || $state == degraded ]] || die "the container's systemd says '$state'"
    ok "systemd $state inside (leader pid $LEADER)"
}

network() {
    say "Network: $HOST_IP (host) <-> $GUEST_IP (container), NAT to the host's uplink"
    [[ -f $CHECK_DIR/ip_forward.saved ]] || cat /proc/sys/net/ipv4/ip_forward >"$CHECK_DIR/ip_forward.saved"
    echo 1 >/proc/sys/net/ipv4/ip_forward
    ip addr add "$HOST_IP/30" dev "$VETH"
    ip link set "$VETH" up
    iptables -t nat -A POSTROUTING -s "$SUBNET.0/30" -j MASQUERADE -m comment --comment "$NAT_TAG"
    iptables -I FORWARD -s "$SUBNET.0/30" -j ACCEPT -m comment --comment "$NAT_TAG"
    iptables -I FORWARD -d "$SUBNET.0/30" -j ACCEPT -m comment --comment "$NAT_TAG"
    in_guest ip link set lo up
    in_guest ip addr add "$GUEST_IP/30" dev host0
    in_guest ip link set host0 up
    in_guest ip route add default via "$HOST_IP"
    in_guest timeout 60 apt-get update >"$LOGS/apt-update.log" 2>&1 || die "apt-get update inside failed: see $LOGS/apt-update.log"
    ok "the container reaches the Debian mirror"
}

# The "One machine" shell block of docs/deploy.md and the "Settings for production" block, as written.
doc_block() {
    awk -v heading="$1" '
        $0 == heading { in_section = 1; next }
        in_section && /^```sh$/ { in_block = 1; next }
        in_block && /^```$/ { exit }
        in_block { print }
    ' "$REPO/docs/deploy.md"
}

# Replace `from` by `to` in the file, insisting that `from` occurs exactly once.
fill_in() {
    local file=$1 from=$2 to=$3 count
    count=$(grep -cF -- "$from" "$file" || true)
    [[ $count == 1 ]] || die "docs/deploy.md: expected '$from' once in the recipe, found it $count times"
    FROM=$from TO=$to perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' "$file"
}

prepare_recipe() {
    say "Recipe: the docs' shell blocks, placeholders filled in"
    local dir=$ROOT/root/check db_password secret_key
    mkdir -p "$dir"
    doc_block "## One machine (Debian 12)" >"$dir/recipe.sh"
    doc_block "## Settings for production" >"$dir/env"
    [[ -s $dir/recipe.sh && -s $dir/env ]] || die "docs/deploy.md: the one-machine or settings block is missing"
    db_password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
    secret_key=$(head -c 60 /dev/urandom | base64 | tr -d '\n' | tr '+/' '-_')
    fill_in "$dir/env" '<password>' "$db_password"
    # The placeholder is the whole value after "SECRET_KEY=".
    grep -q '^SECRET_KEY=<.*>$' "$dir/env" || die "docs/deploy.md: SECRET_KEY's placeholder is not <...>"
    sed -i "s|^SECRET_KEY=<.*>\$|SECRET_KEY=$secret_key|" "$dir/env"
    printf '%s\n%s\n' "$db_password" "$db_password" >"$dir/db-password-twice"
    fill_in "$dir/recipe.sh" '<your Press Centre repository>' /root/presscentre.git
    fill_in "$dir/recipe.sh" '--pwprompt' '--pwprompt </root/check/db-password-twice'
    fill_in "$dir/recipe.sh" 'manage.py createsuperuser' 'manage.py createsuperuser --no-input'
    fill_in "$dir/recipe.sh" "certbot certonly --standalone -d $SITE" "/root/check/certbot-stand-in $SITE"
    cat >"$dir/edit-env" <<'EOF'
#!/bin/sh
# $EDITOR: the admin types the settings block into the file.
cat /root/check/env >"$1"
EOF
    cat >"$dir/certbot-stand-in" <<'EOF'
#!/bin/sh
# Where `certbot certonly --standalone -d DOMAIN` leaves its files: a self-signed certificate instead.
set -e
live=/etc/letsencrypt/live/$1
mkdir -p "$live" /etc/letsencrypt/renewal
openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=$1" -addext "subjectAltName=DNS:$1" \
    -keyout "$live/privkey.pem" -out "$live/fullchain.pem" 2>/dev/null
printf 'version = stand-in\n[renewalparams]\nauthenticator = standalone\n' >/etc/letsencrypt/renewal/$1.conf
EOF
    chmod 0755 "$dir/edit-env" "$dir/certbot-stand-in"
    chmod 0600 "$dir/env" "$dir/db-password-twice"
    cp "$dir/recipe.sh" "$LOGS/recipe-as-run.sh"
    note "$(grep -c . "$dir/recipe.sh") lines; as run: $LOGS/recipe-as-run.sh"
}

run_recipe() {
    say "Recipe: run as root inside the container (apt, pip, PostgreSQL, systemd units, Varnish, nginx)"
    note "output: $LOGS/recipe.log (several minutes)"
    local started=$SECONDS
    if ! in_guest env EDITOR=/root/check/edit-env DEBIAN_FRONTEND=noninteractive \
        DJANGO_SUPERUSER_USERNAME=admin DJANGO_SUPERUSER_EMAIL=admin@example.org \
        DJANGO_SUPERUSER_PASSWORD=fresh-check-admin-password \
        bash -c 'cd /root && exec timeout 1800 bash -ex /root/check/recipe.sh' </dev/null >"$LOGS/recipe.log" 2>&1; then
        tail -n 25 "$LOGS/recipe.log" | sed 's/^/    | /'
        die "the recipe stopped at: $(grep '^+ ' "$LOGS/recipe.log" | tail -n 1)"
    fi
    ok "the recipe ran to its end in $((SECONDS - started)) s"
}

check_units() {
    say "Services: active under the container's systemd"
    local unit
    for unit in postgresql redis-server varnish nginx presscentre-web presscentre-worker@1 presscentre-worker@2 \
        presscentre-embargo presscentre-comments; do
        if in_guest systemctl is-active --quiet "$unit"; then
            ok "$unit active"
        else
            bad "$unit is $(in_guest systemctl is-active "$unit" || true)"
        fi
    done
    local mode
    mode=$(in_guest stat -c '%a %U:%G' /etc/presscentre/env)
    [[ $mode == "640 root:presscentre" ]] && ok "/etc/presscentre/env is $mode" ||
        bad "/etc/presscentre/env is $mode, the docs say 640 root:presscentre"
    if manage check --deploy --fail-level WARNING >"$LOGS/check-deploy.log" 2>&1; then
        ok "manage.py check --deploy: no warning"
    else
        bad "manage.py check --deploy: $(tail -n 3 "$LOGS/check-deploy.log")"
    fi
}

# curl through the front door: nginx on the container's :443 (and :80), the host name resolved to it.
front() {
    curl -sk --max-time 20 --resolve "$SITE:443:$GUEST_IP" --resolve "$SITE:80:$GUEST_IP" "$@"
}

# The status and X-Cache of a GET, as "200 hit".
status_and_cache() {
    front -o /dev/null -D - "https://$SITE$1" | tr -d '\r' |
        awk 'NR == 1 { status = $2 } tolower($1) == "x-cache:" { cache = $2 } END { print status, (cache ? cache : "-") }'
}

expect_status() {
    local url=$1 want=$2 got
    got=$(front -o /dev/null -w '%{http_code}' "$url" || true)
    [[ $got == "$want" ]] && ok "$url answers $got" || bad "$url answers ${got:-nothing}, expected $want"
}

check_front_door() {
    say "Front door: nginx (self-signed TLS) -> Varnish -> gunicorn"
    note "demo content for the item page: manage.py load_demo_data (not part of the recipe)"
    manage load_demo_data >"$LOGS/load-demo-data.log" 2>&1 || die "load_demo_data failed: $(tail -n 5 "$LOGS/load-demo-data.log")"
    local waited=0
    until [[ $(front -o /dev/null -w '%{http_code}' "https://$SITE/healthz" || true) == 200 ]] || ((waited >= 90)); do
        sleep 3
        waited=$((waited + 3))
    done
    note "the front door answered /healthz after ${waited} s"
    expect_status "http://$SITE/" 301
    expect_status "https://$SITE/" 200
    expect_status "https://$SITE/admin/login/" 200
    local health
    health=$(front "https://$SITE/healthz" -w ' %{http_code}' || true)
    [[ $health == *'"database": "ok"'*'"cache": "ok"'*' 200' ]] && ok "/healthz: $health" || bad "/healthz: ${health:-no answer}"

    ITEM_PATH=$(manage shell -c "
from presscentre.newsroom.models.items import NewsItemPage
from django.utils import timezone
now = timezone.now()
page = NewsItemPage.objects.live().public().exclude(embargo_until__gt=now).order_by('-first_published_at').first()
print(page.pk, page.url) if page else print('')" 2>>"$LOGS/shell.log" | tail -n 1)
    ITEM_ID=${ITEM_PATH%% *}
    ITEM_PATH=${ITEM_PATH#* }
    [[ $ITEM_PATH == /* ]] || die "no published item to request (got '$ITEM_PATH'); see $LOGS/shell.log"
    local first second
    first=$(status_and_cache "$ITEM_PATH")
    second=$(status_and_cache "$ITEM_PATH")
    note "$ITEM_PATH: first $first, second $second"
    [[ $first == "200 "* ]] || bad "$ITEM_PATH first answer: $first"
    [[ $second == "200 hit" ]] && ok "$ITEM_PATH cached by Varnish (X-Cache: hit)" || bad "$ITEM_PATH second answer: $second, expected 200 hit"
}

# Wagtail hands the purge to the task queue, so a worker (presscentre-worker@N) sends it, about a second later.
check_purge() {
    say "Purge: publishing the item from the app reaches Varnish (through a worker)"
    local bans_before bans_after after waited=0
    bans_before=$(in_guest varnishstat -1 -f MAIN.bans_added | awk '{ print $2 }')
    manage shell -c "
from wagtail.models import Page
Page.objects.get(pk=$ITEM_ID).specific.save_revision().publish()" >"$LOGS/publish.log" 2>&1 || bad "publishing failed: $(tail -n 5 "$LOGS/publish.log")"
    after=$(status_and_cache "$ITEM_PATH")
    while [[ $after == "200 hit" ]] && ((waited < 30)); do
        sleep 1
        waited=$((waited + 1))
        after=$(status_and_cache "$ITEM_PATH")
    done
    bans_after=$(in_guest varnishstat -1 -f MAIN.bans_added | awk '{ print $2 }')
    ((bans_after > bans_before)) && ok "Varnish received $((bans_after - bans_before)) purge(s) (MAIN.bans_added)" ||
        bad "no purge reached Varnish (MAIN.bans_added $bans_before -> $bans_after); see $LOGS/publish.log"
    [[ $after == "200 miss" ]] && ok "$ITEM_PATH after the purge: $after (within ${waited} s of publishing)" ||
        bad "$ITEM_PATH after the purge: $after after ${waited} s, expected 200 miss"
    after=$(status_and_cache "$ITEM_PATH")
    [[ $after == "200 hit" ]] && ok "$ITEM_PATH cached again: $after" || bad "$ITEM_PATH after the purge, twice: $after, expected 200 hit"
}

check_update() {
    say "Updating, as the docs say: git pull, pip, migrate, collectstatic, restart"
    if in_guest bash -ec 'cd /srv/presscentre && git pull --ff-only && .venv/bin/pip install -q -r requirements.lock -e . &&
        set -a && . /etc/presscentre/env && set +a &&
        sudo -E -u presscentre .venv/bin/python manage.py migrate --no-input &&
        .venv/bin/python manage.py collectstatic --no-input &&
        systemctl restart presscentre-web "presscentre-worker@*" presscentre-embargo' >"$LOGS/update.log" 2>&1; then
        ok "the update steps ran"
    else
        bad "the update steps failed: $(tail -n 3 "$LOGS/update.log")"
    fi
    sleep 5
    expect_status "https://$SITE/healthz" 200
}

collect_journal() {
    in_guest journalctl --no-pager -n 400 -u 'presscentre-*' -u varnish -u nginx >"$LOGS/journal.log" 2>&1 || true
}

main() {
    local started=$SECONDS
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    preflight
    base_system
    fresh_machine
    boot
    network
    prepare_recipe
    run_recipe
    check_units
    check_front_door
    check_purge
    check_update
    if [[ ${HOLD:-0} == 1 ]]; then
        touch "$CHECK_DIR/hold"
        note "HOLD=1: the container runs until $CHECK_DIR/hold is removed (nsenter -t $LEADER -a bash)"
        while [[ -f $CHECK_DIR/hold ]]; do sleep 2; done
    fi
    note "total $((SECONDS - started)) s"
}

main "$@"
