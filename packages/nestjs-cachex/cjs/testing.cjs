'use strict';
module.exports = require('./load.cjs')('testing/index');
