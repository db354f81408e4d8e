# shell.bash - a bash script run by Debian's riscv64 bash inside `vm run -L SYSROOT`: every
# command below is a riscv64 program of the sysroot that bash finds on PATH and starts with
# fork + execve, so each line tests that -L applies to execve as it does to open and stat.
set -u
echo "== pipelines"
seq 3 | tr 1-3 a-c
seq 1 20 | sort -rn | head -n 3 | tr '\n' ' '; echo
printf 'pear\napple\nfig\napple\n' | sort | uniq -c | sed 's/^ *//'
seq 100 | wc -l
echo "alpha:beta:gamma" | cut -d: -f2
echo "== command substitution"
n=$(seq 10 | wc -l)
echo "ten=$n sum=$(( $(seq 10 | paste -sd+) ))"
echo "nested=$(echo $(echo $(seq 3) | tr ' ' -))"
echo "where=$(command -v seq)"
echo "== subshells and status"
(cd /usr/bin && pwd && test -x ./tr && echo "tr is here")
pwd_before=$PWD; (cd /; true); [ "$PWD" = "$pwd_before" ] && echo "cwd kept"
( exit 3 ); echo "status=$?"
false | true; echo "pipe status=$? ${PIPESTATUS[*]}"
if grep -q beta <<< "alpha beta"; then echo "grep found beta"; fi
echo "== files"
mkdir -p work/sub
for i in 3 1 2; do echo "line $i" > "work/sub/f$i.txt"; done
ls work/sub | tr '\n' ' '; echo
cat work/sub/*.txt | sort | tail -n 1
wc -c < work/sub/f1.txt
cp work/sub/f1.txt work/copy.txt && cmp -s work/sub/f1.txt work/copy.txt && echo "copied"
mv work/copy.txt work/moved.txt && ls work | tr '\n' ' '; echo
rm -r work/sub && ls work
basename /usr/lib/x.so .so; dirname /usr/lib/x.so
echo "== loops and functions"
fib() { local a=0 b=1 i; for ((i = 0; i < $1; i++)); do local t=$((a + b)); a=$b; b=$t; done; echo $a; }
echo "fib(30)=$(fib 30)"
seq 5 | while read -r x; do printf '%s' "$((x * x)) "; done; echo
cat <<END | tr a-z A-Z
here document $(seq -s, 3)
END
echo "== exec"
bash -c 'echo "child bash: $0 $1"' zero one
sh_out=$(exec seq 2 2 6 | tr '\n' ' '); echo "exec: $sh_out"
echo done
