// cxx.cc - C++ in the guest: exceptions (unwinding through the program headers found via
// AT_PHDR), std::thread, std::string, iostreams, static constructors.
#include <iostream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

static std::map<std::string, int> registry = {{"static", 1}, {"init", 2}};

static int thrower(int n) {
    if (n == 0) throw std::runtime_error("depth reached");
    return thrower(n - 1) + 1;
}

int main() {
    try {
        thrower(20);
    } catch (const std::exception &e) {
        std::cout << "caught: " << e.what() << "\n";
    }
    std::mutex m;
    std::vector<int> got;
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; i++)
        ts.emplace_back([&, i] {
            std::lock_guard<std::mutex> g(m);
            got.push_back(i * i);
        });
    for (auto &t : ts)
        t.join();
    int sum = 0;
    for (int v : got)
        sum += v;
    std::string s = "vm";
    for (int i = 0; i < 3; i++)
        s += "-" + std::to_string(i);
    std::cout << "threads sum " << sum << ", string " << s << ", registry " << registry.size()
              << "\n";
    return 0;
}
