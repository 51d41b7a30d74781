import { Testing } from 'cdktf';

// cdktf's jest matchers: toHaveResource, toHaveResourceWithProperties, toHaveDataSourceWithProperties, ...
Testing.setupJest();
