<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>Texts</name>
    <message>
      <source>14 days of home medical observation</source>
      <translation>14天居家隔离医学观察</translation>
    </message>
    <message>
      <source>Abandoned</source>
      <translation>未完成</translation>
    </message>
    <message>
      <source>Adjust camera exposure for phone screens</source>
      <translation>为手机屏幕调整摄像头曝光</translation>
    </message>
    <message>
      <source>Admin PIN</source>
      <translation>管理员密码</translation>
    </message>
    <message>
      <source>Airport</source>
      <translation>机场</translation>
    </message>
    <message>
      <source>Allowed in</source>
      <translation>准入</translation>
    </message>
    <message>
      <source>An ID number has 18 characters</source>
      <translation>身份证号为18位</translation>
    </message>
    <message>
      <source>Arrived from or through a key epidemic area</source>
      <translation>经停重点疫区来晋返晋</translation>
    </message>
    <message>
      <source>Ask IT to run the first sync, or insert the USB stick</source>
      <translation>请联系IT人员进行首次同步，或插入同步U盘</translation>
    </message>
    <message>
      <source>Ask for a valid health code</source>
      <translation>请其出示有效健康码</translation>
    </message>
    <message>
      <source>Back to scanning in {n} s</source>
      <translation>{n} 秒后返回扫码</translation>
    </message>
    <message>
      <source>Bus station</source>
      <translation>汽车站</translation>
    </message>
    <message>
      <source>By action</source>
      <translation>按处置</translation>
    </message>
    <message>
      <source>By colour</source>
      <translation>按颜色</translation>
    </message>
    <message>
      <source>By how identified</source>
      <translation>核验方式</translation>
    </message>
    <message>
      <source>CANNOT VERIFY</source>
      <translation>无法核验</translation>
    </message>
    <message>
      <source>Camera</source>
      <translation>摄像头</translation>
    </message>
    <message>
      <source>Camera lost, retrying</source>
      <translation>摄像头断开，正在重连</translation>
    </message>
    <message>
      <source>Camera off</source>
      <translation>摄像头已关闭</translation>
    </message>
    <message>
      <source>Camera on</source>
      <translation>摄像头正常</translation>
    </message>
    <message>
      <source>Camera starting</source>
      <translation>摄像头启动中</translation>
    </message>
    <message>
      <source>Camera, server and hardware changes apply at the next start.</source>
      <translation>摄像头、服务器和硬件的更改在下次启动时生效。</translation>
    </message>
    <message>
      <source>Cancel (Esc/Del)</source>
      <translation>取消（Esc/Del）</translation>
    </message>
    <message>
      <source>Cannot look up: record by hand</source>
      <translation>无法查询：请人工登记</translation>
    </message>
    <message>
      <source>Cannot record the scan: out of service, call the administrator</source>
      <translation>无法记录扫码：暂停服务，请联系管理员</translation>
    </message>
    <message>
      <source>Cannot verify, please wait</source>
      <translation>无法核验，请稍候</translation>
    </message>
    <message>
      <source>Cannot verify: data out of date or clock wrong; check by hand</source>
      <translation>无法核验：数据过期或时钟异常，请人工核验</translation>
    </message>
    <message>
      <source>Cannot write {path}: {why}</source>
      <translation>无法写入 {path}：{why}</translation>
    </message>
    <message>
      <source>Card not read: place it again</source>
      <translation>未能读卡：请重新放置身份证</translation>
    </message>
    <message>
      <source>Check by hand and call the system administrator</source>
      <translation>请人工核验，并联系系统管理员</translation>
    </message>
    <message>
      <source>Check digit wrong: check the number</source>
      <translation>校验位不符：请核对号码</translation>
    </message>
    <message>
      <source>Check the ID</source>
      <translation>核对证件</translation>
    </message>
    <message>
      <source>Checkpoint id</source>
      <translation>卡口编号</translation>
    </message>
    <message>
      <source>Child</source>
      <translation>儿童</translation>
    </message>
    <message>
      <source>Choose a reason first (1–6)</source>
      <translation>请先选择原因（1–6）</translation>
    </message>
    <message>
      <source>Clock wrong</source>
      <translation>时钟异常</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>Close contact of a confirmed case</source>
      <translation>密切接触者</translation>
    </message>
    <message>
      <source>Code expired: refresh the code</source>
      <translation>健康码已过期：请刷新</translation>
    </message>
    <message>
      <source>Code not yet valid (check the clock)</source>
      <translation>健康码尚未生效（请检查时钟）</translation>
    </message>
    <message>
      <source>Code too old: refresh the code</source>
      <translation>健康码过旧：请刷新</translation>
    </message>
    <message>
      <source>Codes cannot be read: use manual entry</source>
      <translation>无法读码：请人工登记</translation>
    </message>
    <message>
      <source>Confirmed case</source>
      <translation>确诊病人</translation>
    </message>
    <message>
      <source>Confirmed case or close contact in the same stairwell</source>
      <translation>同一楼道有确诊病人或密切接触者</translation>
    </message>
    <message>
      <source>Contact with a person with fever or respiratory symptoms</source>
      <translation>接触过发热或呼吸道症状病人</translation>
    </message>
    <message>
      <source>DEMO</source>
      <translation>演示</translation>
    </message>
    <message>
      <source>Damaged code (Base45)</source>
      <translation>健康码损坏（Base45）</translation>
    </message>
    <message>
      <source>Damaged code (compression)</source>
      <translation>健康码损坏（压缩）</translation>
    </message>
    <message>
      <source>Damaged code (contents)</source>
      <translation>健康码损坏（内容）</translation>
    </message>
    <message>
      <source>Damaged code (structure)</source>
      <translation>健康码损坏（结构）</translation>
    </message>
    <message>
      <source>Data fresh</source>
      <translation>数据最新</translation>
    </message>
    <message>
      <source>Data too old to decide</source>
      <translation>数据过旧，无法判定</translation>
    </message>
    <message>
      <source>Distribution key files</source>
      <translation>分发公钥文件</translation>
    </message>
    <message>
      <source>Done (Enter)</source>
      <translation>完成（Enter）</translation>
    </message>
    <message>
      <source>Elderly person</source>
      <translation>老年人</translation>
    </message>
    <message>
      <source>Enter temperature, then Enter</source>
      <translation>输入体温后按 Enter</translation>
    </message>
    <message>
      <source>Enter the temperature first</source>
      <translation>请先输入体温</translation>
    </message>
    <message>
      <source>Enter to look up</source>
      <translation>按回车查询</translation>
    </message>
    <message>
      <source>Enterprise</source>
      <translation>企业</translation>
    </message>
    <message>
      <source>Entry permitted</source>
      <translation>准予通行</translation>
    </message>
    <message>
      <source>Entry without a health code</source>
      <translation>无健康码人工登记</translation>
    </message>
    <message>
      <source>Errors only</source>
      <translation>仅错误</translation>
    </message>
    <message>
      <source>Everything (for trouble-shooting)</source>
      <translation>全部（排查故障用）</translation>
    </message>
    <message>
      <source>Export CSV</source>
      <translation>导出 CSV</translation>
    </message>
    <message>
      <source>Exported {n} events to {path}</source>
      <translation>已导出 {n} 条记录到 {path}</translation>
    </message>
    <message>
      <source>FEVER</source>
      <translation>体温异常</translation>
    </message>
    <message>
      <source>Factory</source>
      <translation>工厂</translation>
    </message>
    <message>
      <source>Fever, shortness of breath or respiratory symptoms</source>
      <translation>有发热、气促、呼吸道症状</translation>
    </message>
    <message>
      <source>Fever: measure again, then refer to a fever clinic</source>
      <translation>体温异常：复测后送发热门诊</translation>
    </message>
    <message>
      <source>Fevers</source>
      <translation>发热</translation>
    </message>
    <message>
      <source>Foreign visitor</source>
      <translation>外籍人员</translation>
    </message>
    <message>
      <source>Foreigner's permanent residence ID</source>
      <translation>外国人永久居留身份证</translation>
    </message>
    <message>
      <source>Forged or altered code: bad signature</source>
      <translation>伪造或篡改的健康码：签名错误</translation>
    </message>
    <message>
      <source>From</source>
      <translation>从</translation>
    </message>
    <message>
      <source>From a higher-risk county outside the province</source>
      <translation>来自省外较高风险县（市、区）</translation>
    </message>
    <message>
      <source>GREEN CODE</source>
      <translation>绿码</translation>
    </message>
    <message>
      <source>Gate HTTP URL</source>
      <translation>闸机 HTTP 地址</translation>
    </message>
    <message>
      <source>Gate failed: open by hand</source>
      <translation>闸机故障：请手动开闸</translation>
    </message>
    <message>
      <source>Gate relay</source>
      <translation>闸机继电器</translation>
    </message>
    <message>
      <source>Gate serial command</source>
      <translation>闸机串口命令</translation>
    </message>
    <message>
      <source>Gate serial port</source>
      <translation>闸机串口</translation>
    </message>
    <message>
      <source>Go in</source>
      <translation>准予通行</translation>
    </message>
    <message>
      <source>Government</source>
      <translation>政府机关</translation>
    </message>
    <message>
      <source>Green</source>
      <translation>绿码</translation>
    </message>
    <message>
      <source>Green code, temperature normal, please go in</source>
      <translation>绿码，体温正常，请通行</translation>
    </message>
    <message>
      <source>Guard on duty</source>
      <translation>值班人员</translation>
    </message>
    <message>
      <source>HTTP controller</source>
      <translation>HTTP 控制器</translation>
    </message>
    <message>
      <source>Health code</source>
      <translation>健康码</translation>
    </message>
    <message>
      <source>Health-code checkpoint</source>
      <translation>健康码卡口</translation>
    </message>
    <message>
      <source>Hold the code to the scanner</source>
      <translation>请将二维码对准扫码枪</translation>
    </message>
    <message>
      <source>Hong Kong/Macao travel permit</source>
      <translation>港澳居民来往内地通行证</translation>
    </message>
    <message>
      <source>Hospital</source>
      <translation>医院</translation>
    </message>
    <message>
      <source>Hotel</source>
      <translation>宾馆酒店</translation>
    </message>
    <message>
      <source>ID card looked up: no need to compare</source>
      <translation>已通过身份证查询，无需核对证件</translation>
    </message>
    <message>
      <source>ID card reader port</source>
      <translation>身份证阅读器端口</translation>
    </message>
    <message>
      <source>ID lookup</source>
      <translation>身份证查询</translation>
    </message>
    <message>
      <source>ID number (F6)</source>
      <translation>身份证号（F6）</translation>
    </message>
    <message>
      <source>ID reader offline: type the number</source>
      <translation>身份证阅读器离线：请手输号码</translation>
    </message>
    <message>
      <source>INVALID CODE</source>
      <translation>无效码</translation>
    </message>
    <message>
      <source>Invalid code, please show a valid health code</source>
      <translation>无效码，请出示有效健康码</translation>
    </message>
    <message>
      <source>Invalid codes by reason</source>
      <translation>无效码原因</translation>
    </message>
    <message>
      <source>Issuer does not match its key</source>
      <translation>签发机构与密钥不符</translation>
    </message>
    <message>
      <source>Issuer key not valid</source>
      <translation>签发密钥无效</translation>
    </message>
    <message>
      <source>Issuer not trusted</source>
      <translation>签发机构不受信任</translation>
    </message>
    <message>
      <source>Keep them here; call medical staff now</source>
      <translation>请其原地等候，立即联系医务人员</translation>
    </message>
    <message>
      <source>Keep them here; call the epidemic-control staff</source>
      <translation>请其原地等候，联系防疫人员</translation>
    </message>
    <message>
      <source>Keep them here; measure the temperature again</source>
      <translation>请其原地等候，复测体温</translation>
    </message>
    <message>
      <source>Kiosk mode</source>
      <translation>自助终端模式</translation>
    </message>
    <message>
      <source>LU90614 module</source>
      <translation>LU90614 测温模块</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>语言</translation>
    </message>
    <message>
      <source>Last sync {time}</source>
      <translation>上次同步 {time}</translation>
    </message>
    <message>
      <source>Locked: try again at {time}</source>
      <translation>已锁定：请于 {time} 后重试</translation>
    </message>
    <message>
      <source>Log level</source>
      <translation>日志级别</translation>
    </message>
    <message>
      <source>Look up by ID number</source>
      <translation>身份证号查询</translation>
    </message>
    <message>
      <source>Looking up…</source>
      <translation>正在查询…</translation>
    </message>
    <message>
      <source>MANUAL ENTRY</source>
      <translation>人工登记</translation>
    </message>
    <message>
      <source>Manual entries</source>
      <translation>人工登记</translation>
    </message>
    <message>
      <source>Manual entry</source>
      <translation>人工登记</translation>
    </message>
    <message>
      <source>Manual entry (F2)</source>
      <translation>人工登记（F2）</translation>
    </message>
    <message>
      <source>Manual entry recorded</source>
      <translation>已记录人工登记</translation>
    </message>
    <message>
      <source>Mask</source>
      <translation>口罩</translation>
    </message>
    <message>
      <source>Mask on now (K)</source>
      <translation>已戴口罩（K）</translation>
    </message>
    <message>
      <source>Measure again: {value} °C is outside {lo}–{hi} °C</source>
      <translation>请重新测量：{value} °C 不在 {lo}–{hi} °C 范围内</translation>
    </message>
    <message>
      <source>NOT A HEALTH CODE</source>
      <translation>不是健康码</translation>
    </message>
    <message>
      <source>Never synced</source>
      <translation>从未同步</translation>
    </message>
    <message>
      <source>New admin PIN (empty: keep)</source>
      <translation>新管理员密码（留空不变）</translation>
    </message>
    <message>
      <source>Next person ready</source>
      <translation>下一位已就绪</translation>
    </message>
    <message>
      <source>Next person ready · Enter</source>
      <translation>下一位已就绪 · Enter</translation>
    </message>
    <message>
      <source>Next: no mask · K undo</source>
      <translation>下一位未戴口罩 · K 撤销</translation>
    </message>
    <message>
      <source>No admin PIN is set on this PC. The installer sets one with: checkpoint-app set-pin</source>
      <translation>本机尚未设置管理员密码。请由安装人员运行：checkpoint-app set-pin</translation>
    </message>
    <message>
      <source>No camera</source>
      <translation>无摄像头</translation>
    </message>
    <message>
      <source>No colour (invalid)</source>
      <translation>无颜色（无效码）</translation>
    </message>
    <message>
      <source>No entry</source>
      <translation>禁止入内</translation>
    </message>
    <message>
      <source>No entry: please wait here</source>
      <translation>请勿进入，在此等候</translation>
    </message>
    <message>
      <source>No gate</source>
      <translation>无闸机</translation>
    </message>
    <message>
      <source>No health code: the platform does not know this person</source>
      <translation>无健康码：平台查无此人</translation>
    </message>
    <message>
      <source>No mask (M)</source>
      <translation>未戴口罩（M）</translation>
    </message>
    <message>
      <source>No phone? Place your ID card</source>
      <translation>没有手机？请刷身份证</translation>
    </message>
    <message>
      <source>No province has this code</source>
      <translation>省份代码不存在</translation>
    </message>
    <message>
      <source>No server</source>
      <translation>未配置服务器</translation>
    </message>
    <message>
      <source>No smartphone</source>
      <translation>无智能手机</translation>
    </message>
    <message>
      <source>No such birth date</source>
      <translation>出生日期不存在</translation>
    </message>
    <message>
      <source>None</source>
      <translation>不使用</translation>
    </message>
    <message>
      <source>Normal</source>
      <translation>正常</translation>
    </message>
    <message>
      <source>Not a health code</source>
      <translation>不是健康码</translation>
    </message>
    <message>
      <source>Not ready yet: try again in a moment</source>
      <translation>尚未就绪，请稍后再试</translation>
    </message>
    <message>
      <source>Not saved, nothing changed: {why}</source>
      <translation>未保存，设置未改变：{why}</translation>
    </message>
    <message>
      <source>OK</source>
      <translation>确定</translation>
    </message>
    <message>
      <source>Office building</source>
      <translation>写字楼</translation>
    </message>
    <message>
      <source>Offline documents</source>
      <translation>离线文件</translation>
    </message>
    <message>
      <source>On the epidemic-control whitelist</source>
      <translation>列入疫情防控白名单</translation>
    </message>
    <message>
      <source>Only digits, and X last</source>
      <translation>只能输入数字，末位可为X</translation>
    </message>
    <message>
      <source>Other</source>
      <translation>其他</translation>
    </message>
    <message>
      <source>Other reason</source>
      <translation>其他原因</translation>
    </message>
    <message>
      <source>Other red management</source>
      <translation>其他红码管理人员</translation>
    </message>
    <message>
      <source>Other yellow management</source>
      <translation>其他黄码管理人员</translation>
    </message>
    <message>
      <source>Out of service</source>
      <translation>暂停服务</translation>
    </message>
    <message>
      <source>Park</source>
      <translation>公园</translation>
    </message>
    <message>
      <source>Pass screen (s)</source>
      <translation>通行画面（秒）</translation>
    </message>
    <message>
      <source>Passport</source>
      <translation>护照</translation>
    </message>
    <message>
      <source>People</source>
      <translation>人数</translation>
    </message>
    <message>
      <source>People per hour</source>
      <translation>每小时人数</translation>
    </message>
    <message>
      <source>Phone battery dead</source>
      <translation>手机没电</translation>
    </message>
    <message>
      <source>Place the ID card on the reader, or type its number and press Enter</source>
      <translation>请在阅读器上刷身份证，或输入号码后按回车</translation>
    </message>
    <message>
      <source>Please go in</source>
      <translation>请通行</translation>
    </message>
    <message>
      <source>Please place your ID card</source>
      <translation>请刷身份证</translation>
    </message>
    <message>
      <source>Please put on a mask</source>
      <translation>请佩戴口罩</translation>
    </message>
    <message>
      <source>Please show your health code</source>
      <translation>请出示健康码</translation>
    </message>
    <message>
      <source>Please take your temperature</source>
      <translation>请测体温</translation>
    </message>
    <message>
      <source>Prompt abandoned after (s)</source>
      <translation>提示超时放弃（秒）</translation>
    </message>
    <message>
      <source>Public transport</source>
      <translation>公共交通</translation>
    </message>
    <message>
      <source>Put on a mask</source>
      <translation>请佩戴口罩</translation>
    </message>
    <message>
      <source>RED CODE</source>
      <translation>红码</translation>
    </message>
    <message>
      <source>REFUSED</source>
      <translation>拒绝</translation>
    </message>
    <message>
      <source>Railway station</source>
      <translation>火车站</translation>
    </message>
    <message>
      <source>Reason: press 1–6</source>
      <translation>原因：按 1–6</translation>
    </message>
    <message>
      <source>Record entry</source>
      <translation>记录登记</translation>
    </message>
    <message>
      <source>Recorded, please go in</source>
      <translation>已登记，请通行</translation>
    </message>
    <message>
      <source>Red</source>
      <translation>红码</translation>
    </message>
    <message>
      <source>Red code, no entry, please wait here</source>
      <translation>红码，请勿进入，在此等候</translation>
    </message>
    <message>
      <source>Red/fever screen (s, 0 = until dismissed)</source>
      <translation>红码/发热画面（秒，0 = 直到确认）</translation>
    </message>
    <message>
      <source>Refused: show a valid health code</source>
      <translation>拒绝：请出示有效健康码</translation>
    </message>
    <message>
      <source>Resident ID card</source>
      <translation>居民身份证</translation>
    </message>
    <message>
      <source>Residential area</source>
      <translation>居民小区</translation>
    </message>
    <message>
      <source>Restaurant</source>
      <translation>餐馆</translation>
    </message>
    <message>
      <source>Save</source>
      <translation>保存</translation>
    </message>
    <message>
      <source>Scanner offline: call IT; manual entry (F2)</source>
      <translation>扫码枪离线：请联系IT，可人工登记（F2）</translation>
    </message>
    <message>
      <source>Scanner offline: use camera</source>
      <translation>扫码枪离线：请用摄像头</translation>
    </message>
    <message>
      <source>Scanner only</source>
      <translation>仅扫码枪</translation>
    </message>
    <message>
      <source>Scenic spot</source>
      <translation>景区</translation>
    </message>
    <message>
      <source>Screen 1</source>
      <translation>屏幕 1</translation>
    </message>
    <message>
      <source>Screen 2</source>
      <translation>屏幕 2</translation>
    </message>
    <message>
      <source>Screen 3</source>
      <translation>屏幕 3</translation>
    </message>
    <message>
      <source>Screen 4</source>
      <translation>屏幕 4</translation>
    </message>
    <message>
      <source>Send home: 14 days of home observation</source>
      <translation>请回家居家观察 14 天</translation>
    </message>
    <message>
      <source>Send to the designated hospital now</source>
      <translation>立即送定点医院</translation>
    </message>
    <message>
      <source>Serial relay</source>
      <translation>串口继电器</translation>
    </message>
    <message>
      <source>Serial scanner port</source>
      <translation>串口扫码器</translation>
    </message>
    <message>
      <source>Server URL</source>
      <translation>服务器地址</translation>
    </message>
    <message>
      <source>Server token</source>
      <translation>服务器令牌</translation>
    </message>
    <message>
      <source>Set a new admin PIN (4-8 digits)</source>
      <translation>设置新的管理员密码（4-8 位数字）</translation>
    </message>
    <message>
      <source>Settings (F4)</source>
      <translation>设置（F4）</translation>
    </message>
    <message>
      <source>Shopping mall</source>
      <translation>商场</translation>
    </message>
    <message>
      <source>Show your health code</source>
      <translation>请出示健康码</translation>
    </message>
    <message>
      <source>Sound off</source>
      <translation>声音关闭</translation>
    </message>
    <message>
      <source>Sound off: no audio output</source>
      <translation>声音关闭：无音频输出</translation>
    </message>
    <message>
      <source>Sound volume (%)</source>
      <translation>音量（%）</translation>
    </message>
    <message>
      <source>Spoken results volume (%)</source>
      <translation>语音播报音量（%）</translation>
    </message>
    <message>
      <source>Statistics (F3)</source>
      <translation>统计（F3）</translation>
    </message>
    <message>
      <source>Status data stale</source>
      <translation>状态数据陈旧</translation>
    </message>
    <message>
      <source>Stays until dismissed</source>
      <translation>确认后返回</translation>
    </message>
    <message>
      <source>Supermarket</source>
      <translation>超市</translation>
    </message>
    <message>
      <source>Suspected case</source>
      <translation>疑似病人</translation>
    </message>
    <message>
      <source>Sync failed</source>
      <translation>同步失败</translation>
    </message>
    <message>
      <source>Sync idle</source>
      <translation>同步空闲</translation>
    </message>
    <message>
      <source>Sync interval (s)</source>
      <translation>同步间隔（秒）</translation>
    </message>
    <message>
      <source>Synced</source>
      <translation>已同步</translation>
    </message>
    <message>
      <source>Syncing</source>
      <translation>同步中</translation>
    </message>
    <message>
      <source>Taiwan travel permit</source>
      <translation>台湾居民来往大陆通行证</translation>
    </message>
    <message>
      <source>Take temperature</source>
      <translation>请测量体温</translation>
    </message>
    <message>
      <source>Temperature</source>
      <translation>体温</translation>
    </message>
    <message>
      <source>Temperature too high, please measure again</source>
      <translation>体温异常，请复测</translation>
    </message>
    <message>
      <source>Temperature, then Enter to record</source>
      <translation>输入体温，按 Enter 登记</translation>
    </message>
    <message>
      <source>Text lines (one reading per line)</source>
      <translation>文本行（每行一个读数）</translation>
    </message>
    <message>
      <source>That was a payment or chat QR</source>
      <translation>扫到的是付款码或聊天二维码</translation>
    </message>
    <message>
      <source>The second screen, if there is one</source>
      <translation>第二块屏幕（如有）</translation>
    </message>
    <message>
      <source>Thermometer offline: type it</source>
      <translation>测温仪离线：请手输体温</translation>
    </message>
    <message>
      <source>Thermometer port</source>
      <translation>测温仪端口</translation>
    </message>
    <message>
      <source>Thermometer protocol</source>
      <translation>测温仪协议</translation>
    </message>
    <message>
      <source>This card cannot be read here: type the number (F6)</source>
      <translation>此证件无法在此读取：请手输号码（F6）</translation>
    </message>
    <message>
      <source>This checkpoint has not synced yet</source>
      <translation>本检查点尚未同步数据</translation>
    </message>
    <message>
      <source>Time</source>
      <translation>时间</translation>
    </message>
    <message>
      <source>To</source>
      <translation>至</translation>
    </message>
    <message>
      <source>Today</source>
      <translation>今天</translation>
    </message>
    <message>
      <source>Travel across cities within the province</source>
      <translation>有跨设区市旅居经历</translation>
    </message>
    <message>
      <source>Turn back: 14 days of centralized or strict home isolation</source>
      <translation>劝返，14天集中或居家硬隔离医学观察</translation>
    </message>
    <message>
      <source>USB sync {time}</source>
      <translation>U盘同步 {time}</translation>
    </message>
    <message>
      <source>Under centralized or home medical isolation</source>
      <translation>正在实施集中或居家隔离医学观察</translation>
    </message>
    <message>
      <source>Unsupported signature algorithm</source>
      <translation>不支持的签名算法</translation>
    </message>
    <message>
      <source>Venue id</source>
      <translation>场所编号</translation>
    </message>
    <message>
      <source>Venue type</source>
      <translation>场所类型</translation>
    </message>
    <message>
      <source>Village</source>
      <translation>村庄</translation>
    </message>
    <message>
      <source>Visitor display</source>
      <translation>访客显示屏</translation>
    </message>
    <message>
      <source>Visitor display (screen facing the queue)</source>
      <translation>访客屏（朝向排队人群的屏幕）</translation>
    </message>
    <message>
      <source>Warnings and errors</source>
      <translation>警告和错误</translation>
    </message>
    <message>
      <source>Wrong PIN: {n} tries left</source>
      <translation>密码错误：还可尝试 {n} 次</translation>
    </message>
    <message>
      <source>YELLOW CODE</source>
      <translation>黄码</translation>
    </message>
    <message>
      <source>Yellow</source>
      <translation>黄码</translation>
    </message>
    <message>
      <source>Yellow code, no entry</source>
      <translation>黄码，请勿进入</translation>
    </message>
    <message>
      <source>Yellow/invalid screen (s)</source>
      <translation>黄码/无效码画面（秒）</translation>
    </message>
    <message>
      <source>not worn</source>
      <translation>未戴</translation>
    </message>
    <message>
      <source>worn</source>
      <translation>已戴</translation>
    </message>
    <message>
      <source>{n} of 18</source>
      <translation>已输入{n}/18位</translation>
    </message>
    <message>
      <source>{n} to upload</source>
      <translation>{n} 条待上传</translation>
    </message>
    <message>
      <source>{path} exists already: choose a new file name</source>
      <translation>{path} 已存在：请换一个文件名</translation>
    </message>
    <message>
      <source>中文 / English (F5)</source>
      <translation>中文 / English（F5）</translation>
    </message>
  </context>
</TS>
