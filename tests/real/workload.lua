-- workload.lua - deterministic Lua 5.4 workload (lua5.4 from Debian riscv64, dynamically
-- linked): strings, tables, closures, coroutines, metatables, float formatting, math,
-- errors, integer/float arithmetic, string.pack, utf8, io on a scratch file. Its output is
-- compared between vm and qemu-riscv64; nothing in it depends on time or addresses.
local function section(name) print("== " .. name) end

section("args")
print(#arg, arg[1], arg[2], arg[0])

section("strings")
local s = "The quick brown fox jumps over the lazy dog"
print(#s, s:upper(), s:lower():rep(2, "|"):sub(1, 30))
print(s:find("fox"), s:match("(%a+) dog"), select(2, s:gsub("o", "0")))
local words = {}
for w in s:gmatch("%a+") do words[#words + 1] = w end
print(#words, table.concat(words, ","))
print(("%5d|%-8s|%08.3f|%x|%X|%o|%q"):format(42, "left", math.pi, 255, 3054, 8, 'say "hi"\n'))
print(string.format("%.17g %.3e %g %g %g", 0.1, 12345.6789, 1e300 * 1e10, -0.0, 2 ^ 63))
print(string.format("%a", 1.0), string.format("%5.1f%%", 99.44))
print(s:reverse(), s:byte(1, 3), string.char(76, 117, 97))
print(("a,b,,c"):gsub(",", ";"), ("hello world"):gsub("(%w+)", "<%1>"))
print(("key=value; k2=v2"):gsub("(%w+)=(%w+)", "%2=%1"))
print(tostring(1e15), tostring(1e16), tostring(2^53), 10 // 3, 10.0 // 3, -7 // 2, -7 % 3, 7 % -3)
print(math.tointeger(3.0), 3 | 5, 6 & 3, 1 << 62, ~0, 5 ~ 3, 1 >> 1, "10" + 5, "3" * "4")
print(math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)
print(tonumber("0x1p4"), tonumber("  12  "), tonumber("z", 36), tonumber("1e2"), tonumber("abc"))

section("tables")
local t = {}
for i = 1, 2000 do t[i] = (i * 7919) % 10007 end
table.sort(t)
print(t[1], t[1000], t[2000], #t)
table.sort(t, function(a, b) return a > b end)
print(t[1], t[2], t[3])
local inv = {}
for i, v in ipairs({"x", "y", "z"}) do inv[v] = i end
local keys = {}
for k in pairs(inv) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, " "), inv.y)
table.insert(t, 1, -1)
print(table.remove(t), table.remove(t, 1), #t, select("#", table.unpack({1, 2, nil, 4}, 1, 4)))
print(table.concat(table.move({1, 2, 3}, 1, 3, 2, {9}), ","))

section("closures")
local function counter()
    local n = 0
    return function(k) n = n + (k or 1); return n end
end
local c1, c2 = counter(), counter()
c1(); c1(5); c2(10)
print(c1(), c2())
local function compose(f, g) return function(...) return f(g(...)) end end
print(compose(function(x) return x * 2 end, function(a, b) return a + b end)(3, 4))
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print("fib(22)", fib(22))
local memo = setmetatable({}, {__mode = "k"})
print(type(memo), getmetatable(memo).__mode)

section("coroutines")
local gen = coroutine.wrap(function()
    for i = 1, 5 do coroutine.yield(i * i) end
    return "end"
end)
local out = {}
for _ = 1, 6 do out[#out + 1] = tostring(gen()) end
print(table.concat(out, " "))
local co = coroutine.create(function(a, b)
    local c = coroutine.yield(a + b)
    local d, e = coroutine.yield(c * 2)
    return d + e
end)
print(coroutine.resume(co, 1, 2))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, 3, 4))
print(coroutine.resume(co), coroutine.status(co))
local producer = coroutine.wrap(function()
    for line in ("alpha\nbeta\ngamma\n"):gmatch("[^\n]+") do coroutine.yield(line) end
end)
print(producer(), producer(), producer())

section("metatables")
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x, y = a.y + b.y}, V) end
V.__eq = function(a, b) return a.x == b.x and a.y == b.y end
V.__tostring = function(v) return string.format("(%g, %g)", v.x, v.y) end
V.__len = function(v) return math.sqrt(v.x * v.x + v.y * v.y) end
V.__call = function(v, k) return v.x * k end
local function vec(x, y) return setmetatable({x = x, y = y}, V) end
local a = vec(3, 4) + vec(0.5, -1)
print(tostring(a), #vec(3, 4), a == vec(3.5, 3), a(2))
local proxy = setmetatable({}, {__index = function(_, k) return k .. "!" end,
                                __newindex = function(tt, k, v) rawset(tt, k, v * 10) end})
proxy.n = 4
print(proxy.hello, proxy.n, rawget(proxy, "missing"))

section("math")
print(string.format("%.10f %.10f %.10f", math.sin(1), math.cos(1), math.tan(0.5)))
print(string.format("%.12f %.12f %.12f", math.sqrt(2), math.exp(1), math.log(10)))
print(string.format("%.6f %.6f %.6f", math.log(8, 2), math.atan(1, 2), math.fmod(7.5, 2)))
print(math.floor(-3.5), math.ceil(-3.5), math.abs(-7), math.max(3, 9, 1), math.min(2.5, -1))
print(math.huge, -math.huge, math.pi, 0/0 ~= 0/0, math.type(1), math.type(1.0), math.type("1"))
print(math.ult(1, -1), 7 // 0.0, -7 // 0.0, pcall(function() return 1 // 0 end))
math.randomseed(42)
local r1 = math.random(1, 1000000)
math.randomseed(42)
print("random reproducible", r1 == math.random(1, 1000000))
local acc = 0.0
for i = 1, 50000 do acc = acc + 1.0 / (i * i) end
print(string.format("basel %.12f", acc))

section("errors")
print(pcall(error, "boom"))
print(select(2, pcall(error, {code = 7})).code)
print(select(2, pcall(function() local x = nil; return x.y end)) ~= nil)
print(xpcall(function() error("deep", 0) end, function(m) return "handled: " .. m end))
local ok, err = pcall(string.rep)
print(ok, (err:gsub("^.-:%d+: ", "")))
print(select("#", assert(1, 2, 3)), pcall(assert, false, "assert msg"))

section("pack")
local packed = string.pack("<i4 >i2 z d", -2, 258, "zs", 1.5)
print(#packed, string.unpack("<i4 >i2 z d", packed))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häh€"), #utf8.char(128512))
for p, cp in utf8.codes("aé€") do io.write(p, ":", cp, " ") end
print()

section("io")
local f = assert(io.open("scratch.txt", "w"))
for i = 1, 100 do f:write(i, "\t", i * i, "\n") end
f:close()
local sum, lines = 0, 0
for line in io.lines("scratch.txt") do
    local x, y = line:match("(%d+)\t(%d+)")
    sum = sum + tonumber(y); lines = lines + 1
end
print(lines, sum)
f = assert(io.open("scratch.txt", "r"))
print(f:seek("end"), f:seek("set", 3), f:read(5), f:read("n"))
f:close()
print(io.open("does/not/exist.txt"))
print(os.remove("scratch.txt"), io.open("scratch.txt"))
print(os.getenv("HOME"), os.getenv("VM_NO_SUCH_VARIABLE"))
print(type(os.clock()), os.date("!%Y-%m-%d %H:%M:%S", 0), os.time({year = 2000, month = 1, day = 1, hour = 0}))

section("goto and varargs")
local function va(...)
    local n = select("#", ...)
    return n, ...
end
print(va(1, nil, 3, nil))
do
    local i = 1
    ::top::
    if i <= 3 then io.write(i, " "); i = i + 1; goto top end
    print()
end
local big = {}
for i = 1, 100000 do big[i] = i end
print("big", #big, collectgarbage("count") > 0)
print("done")
os.exit(5)
