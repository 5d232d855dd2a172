'use strict';
module.exports = require('./load.cjs')('prometheus/index');
