#include <stdio.h>

#include "util.h"

int main(void) {
    printf("gcd(1071, 462) = %d\n", gcd(1071, 462));
    printf("words = %d\n", count_words("  built by make -j2 inside vm  "));
    return 0;
}
