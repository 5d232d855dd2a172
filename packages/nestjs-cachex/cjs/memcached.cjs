'use strict';
module.exports = require('./load.cjs')('memcached/index');
