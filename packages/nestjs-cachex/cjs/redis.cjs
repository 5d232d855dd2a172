'use strict';
module.exports = require('./load.cjs')('redis/index');
