/* util.h - the shared declarations of the small project. */
int gcd(int a, int b);
int count_words(const char *s);
