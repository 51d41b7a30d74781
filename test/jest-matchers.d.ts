// Types of cdktf's jest matchers (installed at run time by test/setup.ts).
import 'cdktf/lib/testing/adapters/jest';
