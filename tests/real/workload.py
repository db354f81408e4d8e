# workload.py - deterministic CPython workload (python3-minimal from Debian riscv64,
# dynamically linked): big integers, floats, strings, re, json, collections, itertools,
# hashlib, struct, classes, generators, exceptions, threads and files in the scratch
# folder. Its output is compared between vm and qemu-riscv64.
import collections
import hashlib
import itertools
import json
import os
import re
import struct
import sys
import threading


def section(name):
    print("==", name)


section("numbers")
print(2 ** 200, 3 ** 100 % 1000000007, -(7 // 2), -7 % 3, divmod(-17, 5))
print(sum(range(10 ** 5)), len(str(2 ** 3000)), (10 ** 30 + 7) * (10 ** 25 - 3))
print(0.1 + 0.2, 1 / 3, 1e300 * 1e10, -0.0, float("nan") != float("nan"), 2.5e-310)
print(f"{3.14159265:.4f} {1234567.891:,.2f} {255:#x} {42:08b} {0.000123:e} {1e22:g}")
print(round(2.675, 2), round(0.5), round(1.5), int("ff", 16), int("-0o17", 8), hex(-255))
print((12.375).as_integer_ratio(), (0.1).hex(), float.fromhex("0x1.8p3"), abs(-3 + 4j))
fact = 1
for i in range(1, 60):
    fact *= i
print(fact, fact.bit_length())

section("strings")
s = "The quick brown fox jumps over the lazy dog"
print(s.upper(), s.title(), s[::-1], s.split()[2:5], s.count("o"), s.find("lazy"))
print("-".join(sorted(set(s.lower().replace(" ", "")))), s.center(50, "*"))
print("  pad  ".strip() + "|", "a,b,,c".split(","), "x".join("abc"), "ß".upper(), "Ǆ".lower())
print(repr("tab\tquote'\"\n"), "é€😀".encode("utf-8"), b"\xe2\x82\xac".decode(), len("😀"))
print("%5d|%-6s|%.3f|%r" % (42, "ab", 2.0 / 3, None), "{:>8}|{:^8}|{:<8}|".format(1, 2, 3))

section("re")
text = "id=17 name=alpha; id=4 name=beta; id=123 name=gamma"
print(re.findall(r"id=(\d+) name=(\w+)", text))
print(re.sub(r"\d+", lambda m: str(int(m.group()) * 2), text))
m = re.search(r"(?P<key>name)=(?P<val>b\w+)", text)
print(m.group("val"), m.span(), m.groupdict())
print(re.split(r"[;=\s]+", text)[:6], bool(re.fullmatch(r"[a-z]+\d*", "abc123")))

section("collections")
words = ("the cat and the hat and the bat sat on the mat " * 50).split()
c = collections.Counter(words)
print(c.most_common(3), len(c), sum(c.values()))
d = collections.defaultdict(list)
for w in words[:12]:
    d[len(w)].append(w)
print(sorted(d.items()))
od = collections.OrderedDict.fromkeys("abcde")
od.move_to_end("b")
print(list(od), collections.deque(range(10), maxlen=4))
Point = collections.namedtuple("Point", "x y")
print(Point(3, 4)._replace(y=9), Point(1, 2)._asdict())

section("itertools")
print(list(itertools.permutations("abc", 2))[:4], len(list(itertools.combinations(range(10), 4))))
print(list(itertools.accumulate([1, 2, 3, 4, 5])), list(itertools.chain("ab", [1, 2])))
print([(k, len(list(g))) for k, g in itertools.groupby("aaabbcaa")])
print(list(itertools.islice(itertools.count(5, 3), 6)), list(itertools.product("xy", repeat=2)))


def primes():
    found = []
    for n in itertools.count(2):
        if all(n % p for p in found if p * p <= n):
            found.append(n)
            yield n


print(list(itertools.islice(primes(), 25))[-5:], sum(itertools.islice(primes(), 300)))

section("json and struct")
doc = {"name": "vm", "list": [1, 2.5, None, True, "x\u00e9"], "nested": {"k": [[], {}]}}
enc = json.dumps(doc, sort_keys=True)
print(enc, json.loads(enc) == doc, json.dumps(doc, indent=1).count("\n"))
print(json.dumps([1e100, 0.1, -0.0, 10 ** 20]), json.loads("[1.5e3, -2, \"\\u20ac\"]"))
packed = struct.pack("<iHqd4s", -2, 65535, 2 ** 40, 1.5, b"abcd")
print(len(packed), packed.hex(), struct.unpack("<iHqd4s", packed))

section("hashlib")
data = b"".join(str(i).encode() for i in range(2000))
print(hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest())
print(hashlib.sha256(data).hexdigest(), hashlib.sha512(b"abc").hexdigest()[:32])


section("classes")
class Item:
    def __init__(self, price, name, tags=None):
        self.price, self.name, self.tags = price, name, tags or []

    def __lt__(self, other):
        return self.price < other.price

    def __repr__(self):
        return f"Item(price={self.price!r}, name={self.name!r}, tags={self.tags!r})"


items = sorted([Item(3.5, "c"), Item(1.25, "a", ["x"]), Item(2.0, "b")])
print(items[0], [i.name for i in items], vars(items[0]))


class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __add__(self, o):
        return Vec(self.x + o.x, self.y + o.y)

    def __repr__(self):
        return f"Vec({self.x}, {self.y})"


print(Vec(1, 2) + Vec(3.5, -1), sorted([3, 1, 2], key=lambda v: -v), max("abc", key=ord))

section("exceptions")
try:
    {}["missing"]
except KeyError as e:
    print("KeyError", e)
try:
    1 / 0
except ZeroDivisionError as e:
    print(type(e).__name__, e)
try:
    try:
        int("nope")
    except ValueError as e:
        raise RuntimeError("wrapped") from e
except RuntimeError as e:
    print(e, "<-", type(e.__cause__).__name__)
try:
    raise ExceptionGroup("group", [OSError(2, "nf"), TypeError("t")])
except* OSError as eg:
    print("except* OSError", len(eg.exceptions))
except* TypeError as eg:
    print("except* TypeError", len(eg.exceptions))

section("threads")
results = []
lock = threading.Lock()


def worker(k):
    total = sum(i * k for i in range(3000))
    with lock:
        results.append((k, total))


threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results))

section("files")
with open("scratch.txt", "w") as f:
    for i in range(200):
        f.write(f"{i}\t{i * i}\n")
with open("scratch.txt") as f:
    lines = f.readlines()
print(len(lines), sum(int(l.split()[1]) for l in lines), os.path.getsize("scratch.txt"))
os.mkdir("sub")
os.rename("scratch.txt", "sub/moved.txt")
print(sorted(os.listdir(".")), os.listdir("sub"), os.path.exists("scratch.txt"))
with open("sub/moved.txt", "rb") as f:
    f.seek(-12, os.SEEK_END)
    print(f.read(), f.tell())
os.remove("sub/moved.txt")
os.rmdir("sub")
try:
    open("does/not/exist")
except FileNotFoundError as e:
    print("errno", e.errno, e.strerror)
print(os.getenv("HOME"), sys.argv[1:], sys.byteorder, sys.maxsize, os.uname().machine)
print("done")
sys.exit(3)
