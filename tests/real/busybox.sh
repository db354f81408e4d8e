# busybox.sh - workload for busybox sh (busybox-static from Debian riscv64), run in an empty
# scratch folder. Its whole output is compared between vm and qemu-riscv64; it prints nothing
# that depends on time, process ids or the folder it runs in. Left out: applets that run
# another applet by exec without a PATH search (env, timeout, nice...), which qemu-riscv64
# cannot do without binfmt_misc, and commands that are not busybox applets here (cksum, comm).
set -u
section() { echo "== $1"; }

section shell
i=0
total=0
while [ $i -lt 10 ]; do
    total=$((total + i * i))
    i=$((i + 1))
done
echo "sum of squares $total"
fib() {
    if [ "$1" -lt 2 ]; then echo "$1"; return; fi
    echo $(($(fib $(($1 - 1))) + $(fib $(($1 - 2)))))
}
echo "fib 12 = $(fib 12)"
for w in alpha beta gamma; do printf '%s:%d ' "$w" "${#w}"; done
echo
case "hello.tar.gz" in *.tar.gz) echo "case glob ok" ;; *) echo "case glob bad" ;; esac
x=outer
(x=inner; echo "subshell $x"; exit 4)
echo "after subshell status $? x=$x"
v="a-b-c"
echo "${v%%-*} ${v#*-} ${v//-/+} ${v:-unset} ${nope:-default}"
echo $((7 / 2)) $((7 % 3)) $((1 << 10)) $((0x1f)) $((-5 / 2)) $((3 > 2 && 1))
set -- one "two words" three
echo "$# args: $2"
shift
echo "now $# args: $*"
false || echo "or-list ok"
true && echo "and-list ok"
if ! grep -q nothing /dev/null; then echo "negation ok"; fi
{ echo "to stderr" >&2; echo "to stdout"; } 2>/dev/null
trap 'echo "trap on exit of subshell"' EXIT; (trap 'echo sub-trap' EXIT; true); trap - EXIT
read -r first rest <<HERE
heredoc line with words
HERE
echo "read: $first / $rest"

section files
mkdir -p d/sub/deep
for n in 1 2 3 4 5; do seq 1 $((n * 20)) > "d/file$n.txt"; done
printf 'zeta\nalpha\nmike\nalpha\nbravo\nzeta\nzeta\n' > d/sub/words
echo "deep file" > d/sub/deep/leaf.txt
echo "appended" >> d/sub/deep/leaf.txt
cat d/sub/deep/leaf.txt
ln -s ../file1.txt d/sub/link1
readlink d/sub/link1
cat d/sub/link1 | wc -l
cp d/file2.txt d/copy.txt && mv d/copy.txt d/moved.txt && ls d
rm d/moved.txt
find d -type f | sort
find d -name '*.txt' -size -1k | sort | head -3
find d -type l
wc -l d/*.txt | sort -n
ls -1 d/sub | sort
[ -d d/sub ] && [ -f d/file1.txt ] && [ ! -e d/none ] && echo "test ops ok"
stat -c '%s %F' d/file3.txt
du -s d/sub/deep >/dev/null && echo "du ok"

section text
sort d/sub/words | uniq -c
sort -u d/sub/words | tr '\n' ' '; echo
sort -r -n d/file1.txt | head -3 | tr '\n' ','; echo
grep -n 'a' d/sub/words | head -3
grep -c zeta d/sub/words
grep -E '^(al|br)' d/sub/words | sort -u
grep -v -e zeta -e alpha d/sub/words
sed -e 's/a/A/g' -e '/mike/d' d/sub/words | head -4
sed -n '3,5p' d/file5.txt
sed '1i\header' d/sub/deep/leaf.txt
echo "key1=val1;key2=val2" | cut -d';' -f2 | cut -d= -f1
echo "abcdefgh" | cut -c2-4
echo "Hello World" | tr 'a-z' 'A-Z' | tr -d 'O'
echo "aaabbbccc" | tr -s 'abc'
head -n 3 d/file4.txt | tail -n 1
tail -n 2 d/file5.txt
head -c 10 d/file5.txt | od -c | head -2
awk 'BEGIN { for (i = 1; i <= 5; i++) s += i * 1.5; printf "awk sum %.2f\n", s }'
awk -F: '{ n[$1]++ } END { for (k in n) print k, n[k] }' <<EOF2 | sort
x:1
y:2
x:3
EOF2
awk '{ sum += $1 } END { print NR, sum, sum / NR }' d/file5.txt
awk 'length($0) > 3 { print toupper($0) }' d/sub/words | sort | uniq
printf '%5.2f|%-6s|%04d|%x|%o|%c|%%\n' 3.14159 ab 42 255 8 Z
printf '%s\n' "multi" "args"
seq 5 -1 1 | xargs echo
seq 1 12 | xargs -n 5 echo
echo "a b c" | xargs -n1 | wc -l
expr 6 \* 7; expr length "hello"; expr substr "abcdef" 2 3; expr 10 / 3
expr "abc" : 'a\(.*\)'
echo "3 + 4 * 2" | bc 2>/dev/null || echo "no bc"
rev <<EOF2 2>/dev/null || echo "no rev"
stressed
EOF2
seq -s, 1 5
seq 0.5 0.25 1.5 | tr '\n' ' '; echo
nl d/sub/words | head -2
paste -d: d/sub/words d/sub/words | head -2
diff d/file1.txt d/file2.txt > /dev/null; echo "diff status $?"
cmp -s d/file1.txt d/file1.txt && echo "cmp same"
fold -w 5 <<EOF2
abcdefghijklmnop
EOF2
echo "  lead and trail  " | sed 's/^ *//;s/ *$//'

section checksums
md5sum d/file1.txt d/sub/words | sed 's/ .*\// /'
sha1sum d/file2.txt | cut -d' ' -f1
sha256sum d/file3.txt | cut -d' ' -f1
sha512sum d/sub/words | cut -c1-32
printf 'binary\000data\377\n' | od -A d -t x1
printf 'hello base64 world' | base64
printf 'aGVsbG8gYmFzZTY0IHdvcmxk' | base64 -d; echo
echo "hexdump" | hexdump -C | head -1

section archives
touch -d '2020-01-02 03:04:05' d/file*.txt d/sub/words d/sub/deep/leaf.txt
tar -cf a.tar d
tar -tf a.tar | sort
mkdir out && tar -xf a.tar -C out
diff -r d out/d && echo "tar round trip identical"
tar -czf a.tgz d/sub
tar -tzf a.tgz | sort
gzip -c d/file5.txt > f5.gz
gunzip -c f5.gz | md5sum | cut -d' ' -f1
md5sum < d/file5.txt | cut -d' ' -f1
gzip -t f5.gz && echo "gzip -t ok"
cp d/file3.txt z.txt && gzip z.txt && ls z.txt* && gunzip z.txt.gz && cmp z.txt d/file3.txt && echo "gunzip in place ok"
bzip2 -c d/file4.txt 2>/dev/null | bunzip2 -c | tail -n 1
xz -c d/file4.txt 2>/dev/null | unxz -c 2>/dev/null | tail -n 1 || true

section pipes
seq 1 200 | grep 7 | sort -r | head -n 4 | tr '\n' ' '; echo
seq 1 1000 | awk '$1 % 7 == 0' | wc -l
yes y | head -n 1000 | wc -c
cat /dev/zero | head -c 4096 | wc -c
dd if=/dev/zero bs=512 count=8 2>/dev/null | md5sum | cut -d' ' -f1
exec 3> fd3.txt
echo "through fd 3" >&3
exec 3>&-
cat fd3.txt
echo "stdin redirect" > in.txt
while read -r line; do echo "got: $line"; done < in.txt
(echo one; echo two) | while read -r l; do echo "piped $l"; done
echo "$(echo nested $(echo deeper))"
cnt=0
for f in d/*.txt; do cnt=$((cnt + 1)); done
echo "glob count $cnt"

section system
date -d @0 -u
date -u -d @1234567890 '+%Y-%m-%d %H:%M:%S %a %j'
uname -s
basename /a/b/c.txt .txt
dirname /a/b/c.txt
echo "env HOME set: ${HOME:+yes}"
sleep 0.01 && echo "sleep ok"
kill -0 $$ && echo "kill -0 self ok"
sh -c 'exit 7'; echo "child exit $?"
sh -c 'kill -TERM $$'; echo "child killed status $?"
ls /nonexistent-dir 2>/dev/null; echo "ls missing status $?"
test "$(id -u)" -ge 0 && echo "id ok"
echo "done"
exit 3
