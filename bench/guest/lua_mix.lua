-- lua_mix.lua - the interpreter-style workload of the JIT targets (bench/jit.sh): a Lua 5.4
-- interpreter (Debian's riscv64 lua5.4 in the guest, the host's lua5.4 natively) running a
-- mix of what scripts spend their time on: table inserts, lookups and sorting, string
-- building, formatting and pattern matching, closures and upvalues, recursive calls (fib),
-- integer and float loops, metatables. Deterministic: prints one checksum line per part and
-- a total, nothing depends on time or addresses.
--
--   lua5.4 lua_mix.lua [SCALE]      (SCALE: repetitions of the whole mix, default 3)
local scale = tonumber(arg and arg[1]) or 3

-- 32-bit FNV-style mixing of a checksum with an integer
local function mix(h, v)
    return ((h ~ (v & 0xffffffff)) * 16777619) & 0xffffffff
end

local function fib(n)
    if n < 2 then return n end
    return fib(n - 1) + fib(n - 2)
end

local function part_tables(seed)
    local t, h = {}, 0
    for i = 1, 20000 do t[i] = (i * 7919 + seed) % 10007 end
    local keyed = {}
    for i = 1, #t do
        local k = "k" .. (t[i] % 997)
        keyed[k] = (keyed[k] or 0) + t[i]
    end
    for i = 0, 996 do h = mix(h, keyed["k" .. i] or 0) end
    table.sort(t)
    for i = 1, #t, 97 do h = mix(h, t[i]) end
    local q = {}
    for i = 1, 5000 do table.insert(q, i) end
    while #q > 2500 do h = mix(h, table.remove(q)) end
    return mix(h, #q)
end

local function part_strings(seed)
    local parts = {}
    for i = 1, 3000 do
        parts[#parts + 1] = string.format("%d:%x:%s", i + seed, (i * 2654435761) % 65536,
            ("ab"):rep(i % 5 + 1))
    end
    local s = table.concat(parts, ",")
    local h, n = 0, 0
    for num, hex in s:gmatch("(%d+):(%x+)") do
        h = mix(h, tonumber(num) + tonumber(hex, 16))
        n = n + 1
    end
    local up = s:sub(1, 4000):upper():gsub("AB", "ba")
    for i = 1, #up, 13 do h = mix(h, up:byte(i)) end
    return mix(h, n + #s)
end

local function part_closures(seed)
    local function counter(step)
        local c = seed
        return function()
            c = c + step
            return c
        end
    end
    local fs = {}
    for i = 1, 50 do fs[i] = counter(i) end
    local h = 0
    for _ = 1, 400 do
        for i = 1, #fs do h = mix(h, fs[i]()) end
    end
    local compose = function(f, g) return function(x) return f(g(x)) end end
    local inc = function(x) return x + 1 end
    local dbl = function(x) return x * 2 end
    local f = compose(inc, compose(dbl, inc))
    for i = 1, 20000 do h = mix(h, f(i)) end
    return h
end

local function part_numeric(seed)
    local h = mix(0, fib(22 + seed % 2))
    local acc = 0
    for i = 1, 200000 do acc = (acc + i * i + (i >> 3)) % 1000003 end
    h = mix(h, acc)
    local x = 0.0
    for i = 1, 50000 do x = x + math.sqrt(i) / (i + 1.5) end
    h = mix(h, math.floor(x * 1e6))
    local V = {}
    V.__index = V
    V.__add = function(a, b) return setmetatable({a[1] + b[1], a[2] + b[2]}, V) end
    local v = setmetatable({0, 0}, V)
    for i = 1, 10000 do v = v + setmetatable({i, -i // 3}, V) end
    return mix(mix(h, v[1]), v[2])
end

local total = 0
for r = 1, scale do
    local a, b, c, d = part_tables(r), part_strings(r), part_closures(r), part_numeric(r)
    if r == 1 then
        print(string.format("tables %08x strings %08x closures %08x numeric %08x", a, b, c, d))
    end
    total = mix(mix(mix(mix(total, a), b), c), d)
end
print(string.format("lua_mix %d %08x", scale, total))
